/**
 * `npm run bench`: runs every `bench/*.bench.ts` one after another (each in its
 * own process, with --expose-gc), collects the JSON line each prints, and
 * writes bench/results.json and bench/RESULTS.md (shown in the README).
 * Figures are ratios against a baseline measured in the same run wherever a
 * baseline exists, because absolute numbers drift on a shared machine.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const benchDir = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);
const files = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

const results: Record<string, unknown>[] = [];
for (const file of files) {
  console.log(`--- ${file}`);
  const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(benchDir, file)], {
    cwd: path.resolve(benchDir, ".."),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "silent" },
  });
  const lines = run.stdout.split("\n").filter((line) => line.startsWith('{"benchmark"'));
  if (run.status !== 0 || lines.length === 0) {
    results.push({ benchmark: file.replace(".bench.ts", ""), error: `exited with ${run.status}` });
    continue;
  }
  for (const line of lines) {
    const figures = JSON.parse(line) as Record<string, unknown>;
    console.log(figures);
    results.push(figures);
  }
}

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"}`,
  memory_gb: Math.round(os.totalmem() / 2 ** 30),
};
fs.writeFileSync(path.join(benchDir, "results.json"), `${JSON.stringify({ machine, results }, null, 2)}\n`);

const table = [
  `Measured ${machine.date.slice(0, 10)} on ${machine.cpu}, ${machine.memory_gb} GB, Node ${machine.node}.`,
  "",
  "| benchmark | figure | value |",
  "|---|---|---|",
  ...results.flatMap(({ benchmark, ...figures }) => Object.entries(figures).map(([key, value]) => `| ${String(benchmark)} | ${key} | ${String(value)} |`)),
].join("\n");
fs.writeFileSync(path.join(benchDir, "RESULTS.md"), `${table}\n`);
console.log(`\n${table}`);
if (results.some((r) => "error" in r)) process.exitCode = 1;
