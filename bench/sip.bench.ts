/**
 * SIP edge benchmark (issue #13): CPU the edge spends per concurrent call
 * while it plays prompts. sipp (Debian's sip-tester) places CALLS trunk
 * calls at once, each held HOLD_S seconds with the caller talking (g711a.pcap);
 * the edge answers and plays an espeak-ng prompt over and over. Measured in
 * this process (the edge only; sipp's own work is in its process):
 *  - CPU ms per call-second (user + system), and as % of one core per call;
 *  - event-loop delay p99 while all calls play (what jitters the 20 ms pacing).
 * SIP_BENCH_CALLS and SIP_BENCH_HOLD_S change the load. Run: `npm run bench sip` or `node --import tsx bench/sip.bench.ts`.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { systemClock } from "@/flows/runtime/clock";
import type { PlaybackOutcome } from "@/server/telephony/engine";
import { PromptAudio } from "@/server/telephony/sip/prompts";
import { SipEngine } from "@/server/telephony/sip/sipEngine";
import { report, round } from "./stats";

const CALLS = Number(process.env.SIP_BENCH_CALLS ?? 20);
const HOLD_S = Number(process.env.SIP_BENCH_HOLD_S ?? 15);
const PROMPT = { text: "Thank you for calling Switchboard. All our agents are busy. Please hold the line.", language: "en" };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function installed(tool: string): boolean {
  try {
    execFileSync("which", [tool], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const missing = ["sipp", "espeak-ng", "sox"].filter((tool) => !installed(tool));
  if (missing.length > 0) return report("sip_edge", { skipped: `needs ${missing.join(", ")} (apt-get install sip-tester espeak-ng sox)` });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-bench-"));
  const prompts = new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger: silent });
  await prompts.pcm(PROMPT);
  const engine = await SipEngine.start({ clock: systemClock, logger: silent, listen: { address: "127.0.0.1", port: 0 }, trustedPeers: ["127.0.0.1"], prompts });

  let answered = 0;
  let live = 0;
  let callMs = 0;
  let allUpAt = 0;
  let cpuAllUp: NodeJS.CpuUsage | null = null;
  let cpuSpent: NodeJS.CpuUsage | null = null;
  let allUpFor = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const startedAt = new Map<string, number>();
  engine.subscribe((event) => {
    if (event.type === "leg.incoming") {
      engine.answer(event.legId);
      answered++;
      live++;
      startedAt.set(event.legId, performance.now());
      const loop = (outcome: PlaybackOutcome) => {
        if (outcome === "completed") void engine.play(event.legId, PROMPT).then(loop);
      };
      void engine.play(event.legId, PROMPT).then(loop);
      if (live === CALLS) {
        // Every call is up and playing: measure from here until the first one ends.
        allUpAt = performance.now();
        cpuAllUp = process.cpuUsage();
        loopDelay.enable();
      }
    }
    if (event.type === "leg.hangup") {
      if (live === CALLS && cpuAllUp) {
        cpuSpent = process.cpuUsage(cpuAllUp);
        allUpFor = performance.now() - allUpAt;
        loopDelay.disable();
      }
      live--;
      callMs += performance.now() - (startedAt.get(event.legId) ?? performance.now());
    }
  });

  const sipp = spawn(
    "sipp",
    ["-sf", path.resolve("server/telephony/sip/testing/inbound-hold.xml"), "-s", "3612345000", "-m", String(CALLS), "-l", String(CALLS), "-r", String(CALLS), "-d", String(HOLD_S * 1000), "-i", "127.0.0.1", "-p", "0", "-timeout", `${HOLD_S + 30}s`, "-timeout_error", "-nostdin", `127.0.0.1:${engine.local.port}`],
    { cwd: dir, stdio: ["ignore", "ignore", "ignore"] },
  );
  const code = await new Promise<number | null>((resolve) => sipp.on("exit", resolve));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (code !== 0 || !cpuSpent) throw new Error(`sipp exited with ${code}; ${answered} of ${CALLS} calls answered`);

  const spent = cpuSpent as NodeJS.CpuUsage;
  const cpuMs = (spent.user + spent.system) / 1000;
  const callSeconds = (CALLS * allUpFor) / 1000;
  report("sip_edge", {
    concurrent_calls_playing: CALLS,
    measured_s: round(allUpFor / 1000, 1),
    cpu_ms_per_call_second: round(cpuMs / callSeconds, 3),
    cpu_percent_of_one_core_per_call: round((cpuMs / callSeconds) / 10, 3),
    cpu_percent_of_one_core_all_calls: round(cpuMs / allUpFor * 100, 1),
    event_loop_delay_p99_ms: round(loopDelay.percentile(99) / 1e6, 2),
    total_call_seconds: round(callMs / 1000, 1),
  });
}

void main();
