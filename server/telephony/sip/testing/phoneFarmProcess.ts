/**
 * Bench only: a PhoneFarm in its own process, so the edge's process CPU is
 * the edge's alone. Arguments: edge port, hold ms, first extension, count
 * (passwords: `loadPassword`). Prints
 * "registered" once every phone is, and its counts as JSON when stdin closes.
 */
import { loadPassword, PhoneFarm } from "./phoneFarm";

async function main(): Promise<void> {
  const [edgePort, holdMs, first, count] = process.argv.slice(2).map(Number);
  const farm = await PhoneFarm.open({ port: edgePort }, { holdMs });
  await farm.register(
    Array.from({ length: count }, (_, i) => String(first + i)),
    loadPassword,
  );
  console.log("registered");
  process.stdin.resume();
  process.stdin.on("end", () => {
    void farm.close().then(() => console.log(JSON.stringify(farm.counts)));
  });
}

void main();
