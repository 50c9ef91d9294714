/**
 * Where a CPU profile's time goes:
 * `npx tsx bench/profileSummary.ts FILE.cpuprofile [--skip SECONDS] [--top N]`.
 *
 * Takes a `.cpuprofile` from `BENCH_CPU_PROF=DIR npx tsx bench/api.bench.ts` or from
 * `node --cpu-prof node_modules/next/dist/bin/next start` under load (then `--skip` the
 * start-up and warm-up seconds), and prints the busy (non-idle) time by layer — our API
 * pipeline, the database, Next.js, fetch Request/Response, web streams, AsyncLocalStorage,
 * socket writes, GC — then by package/file and by function. Self time: each sample counts
 * once, for the function running when it was taken.
 */
import fs from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Profile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

/** The first matching rule names a frame's layer; bundled production chunks are matched by the module names Turbopack keeps in them. */
const layers: Array<[string, (frame: CallFrame) => boolean]> = [
  ["garbage collection", (f) => f.functionName === "(garbage collector)"],
  ["socket writes (syscalls)", (f) => ["writev", "writeUtf8String", "writeBuffer"].includes(f.functionName) || f.url.includes("stream_base_commons")],
  ["database (SQLite, drizzle row mapping)", (f) => /better-sqlite3|drizzle-orm/.test(f.url) || (f.url === "" && ["all", "get", "run"].includes(f.functionName)) || isBundledDrizzle(f)],
  ["ours: API pipeline and services", (f) => /server[/_](api|services|db|auth)/.test(f.url)],
  ["JSON", (f) => f.url === "" && (f.functionName === "stringify" || f.functionName === "parse")],
  ["fetch Request/Response/Headers (undici, AbortSignal, body encoding)", (f) => /undici|abort_controller|abort_listener|event_target|internal\/encoding/.test(f.url)],
  ["web streams", (f) => f.url.includes("webstreams") || f.url.includes("js_transferable")],
  ["AsyncLocalStorage (async_hooks)", (f) => f.url.includes("async_hooks")],
  ["Next.js", (f) => /next\/dist|\.next\/server|\[root-of-the-server\]|turbopack/.test(f.url)],
  ["node:http", (f) => f.url.startsWith("node:_http") || f.url === "node:http" || f.url === "node:net"],
  ["crypto (SHA-256 of credentials, token HMAC)", (f) => f.url.includes("crypto") || (f.url === "" && ["Hash", "digest", "update", "Hmac"].includes(f.functionName))],
  ["the profiler itself", (f) => f.url === "" && f.functionName === "dispatch"],
  ["microtask queue", (f) => f.functionName === "runMicrotasks" || f.url.includes("task_queues")],
];

// In a production build drizzle sits in an anonymous shared chunk; its row mapping and statement calls keep their names.
function isBundledDrizzle(frame: CallFrame): boolean {
  return frame.url.includes("/chunks/") && ["values", "mapResultRow", "all"].includes(frame.functionName);
}

function packageOf(url: string): string {
  if (!url) return "(native/VM)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return url;
  const project = url.search(/\/(server|bench|\.next)\//);
  return project >= 0 ? url.slice(project + 1) : url.replace(/^file:\/\//, "");
}

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((arg, i) => !arg.startsWith("--") && !args[i - 1]?.startsWith("--"));
  if (!file) throw new Error("usage: profileSummary.ts FILE.cpuprofile [--skip SECONDS] [--top N]");
  const skipUs = option(args, "--skip", 0) * 1e6;
  const top = option(args, "--top", 20);
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));

  const byLayer = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const unclassified = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let clock = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    clock += delta;
    const frame = frames.get(id)!;
    if (clock < skipUs || frame.functionName === "(idle)") return;
    busy += delta;
    const layer = layers.find(([, matches]) => matches(frame))?.[0];
    add(byLayer, layer ?? "other", delta);
    if (!layer) add(unclassified, `${frame.functionName || "(anonymous)"} ${packageOf(frame.url)}`, delta);
    add(byPackage, packageOf(frame.url), delta);
    add(byFunction, `${frame.functionName || "(anonymous)"} ${packageOf(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ""}`, delta);
  });

  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy after the first ${skipUs / 1e6} s (shares are of busy time)`);
  print("self time by layer", byLayer);
  print("what \"other\" is", unclassified);
  print("self time by package / file", byPackage);
  print("self time by function", byFunction);
}

main();
