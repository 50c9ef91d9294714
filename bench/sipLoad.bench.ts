/**
 * SIP load (issue #13): sipp as the trunk places calls at a steady rate into
 * the SIP edge, call control and the flow interpreter
 * (server/telephony/sip/testing/sipLoad.ts), through two flows:
 *  - play: a prompt, then the edge hangs up;
 *  - menu_to_extension: a menu prompt, the caller's RFC 4733 "1"
 *    (dtmf_2833_1.pcap), a dial to the caller's own extension, answered by a
 *    registered phone (a phone farm in its own process) that talks for 3 s
 *    (the caller's g711a.pcap relayed to it) and hangs up.
 * A call fails unless sipp saw it succeed, call control wrote exactly one
 * final CDR for it and the flow took its expected path. Per flow: the
 * steady run (SIP_LOAD_RATE calls/s for SIP_LOAD_SECONDS s), then the rate
 * stepped up (SIP_LOAD_STEP_SECONDS s each) until a step fails; reported are
 * the highest rate and the most concurrent calls held with no failed call,
 * and CPU per call (this process: the edge, call control and flows; sipp and
 * the phones run in their own processes).
 * Run: `npm run bench sipLoad` (needs sipp, espeak-ng and sox; sipp plays
 * pcaps through a raw socket, so as root).
 */
import { failedCalls, LOAD_FLOWS, type LoadFlow, type LoadResult, runSipLoad } from "@/server/telephony/sip/testing/sipLoad";
import { missingSippTools } from "@/server/telephony/sip/testing/sipp";
import { report } from "./stats";

const RATE = Number(process.env.SIP_LOAD_RATE ?? 20);
const SECONDS = Number(process.env.SIP_LOAD_SECONDS ?? 60);
const STEP_SECONDS = Number(process.env.SIP_LOAD_STEP_SECONDS ?? 15);
const STEPS = [40, 60, 80, 100, 130, 160, 200];

async function main(): Promise<void> {
  const missing = missingSippTools();
  if (missing.length > 0) return report("sip_load", { skipped: `needs ${missing.join(", ")} (apt-get install sip-tester espeak-ng sox)` });
  const figures: Record<string, unknown> = {};
  for (const flow of Object.keys(LOAD_FLOWS) as LoadFlow[]) {
    const steady = await runSipLoad({ flow, rate: RATE, seconds: SECONDS, phones: "child" });
    console.error(`${flow} at ${RATE}/s for ${SECONDS} s: ${describe(steady)}`);
    Object.assign(figures, {
      [`${flow}_steady_rate_per_s`]: RATE,
      [`${flow}_steady_seconds`]: SECONDS,
      [`${flow}_steady_calls`]: steady.callsStarted,
      [`${flow}_steady_failed_calls`]: failedCalls(steady),
      [`${flow}_steady_max_concurrent_calls`]: steady.maxConcurrentCalls,
      [`${flow}_steady_cpu_ms_per_call`]: steady.cpuMsPerCall,
      [`${flow}_steady_event_loop_delay_p99_ms`]: steady.eventLoopDelayP99Ms,
    });
    let best: LoadResult | null = failedCalls(steady) === 0 ? steady : null;
    let firstFailure: LoadResult | null = null;
    for (const rate of STEPS) {
      if (!best) break;
      const step = await runSipLoad({ flow, rate, seconds: STEP_SECONDS, phones: "child" });
      console.error(`${flow} at ${rate}/s for ${STEP_SECONDS} s: ${describe(step)}`);
      if (failedCalls(step) > 0) {
        firstFailure = step;
        break;
      }
      best = step;
    }
    Object.assign(figures, {
      [`${flow}_highest_rate_per_s_no_failed_call`]: best?.rate ?? 0,
      [`${flow}_concurrent_calls_at_highest_rate`]: best?.maxConcurrentCalls ?? 0,
      [`${flow}_cpu_ms_per_call_at_highest_rate`]: best?.cpuMsPerCall ?? null,
      [`${flow}_event_loop_delay_p99_ms_at_highest_rate`]: best?.eventLoopDelayP99Ms ?? null,
      [`${flow}_first_failing_rate_per_s`]: firstFailure ? `${firstFailure.rate} (${failedCalls(firstFailure)} failed)` : `none up to ${STEPS.at(-1)}`,
    });
  }
  report("sip_load", figures);
}

function describe(result: LoadResult): string {
  const failed = failedCalls(result);
  return JSON.stringify({ ...result, sippStderr: failed > 0 ? result.sippStderr : undefined, failed });
}

void main();
