/**
 * The short variant of the SIP load bench (bench/sipLoad.bench.ts): sipp as
 * the trunk at 20 calls/s for 10 s through each load flow. Every call must
 * succeed at sipp, have exactly one final CDR and take the flow's path; in
 * the menu flow every call is answered by its extension's registered phone.
 * No timing assertions: a loaded CI machine may be slow, never lossy.
 */
import { describe, expect, it } from "vitest";
import { missingSippTools, SIPP_SKIP_MESSAGE } from "./testing/sipp";
import { failedCalls, runSipLoad } from "./testing/sipLoad";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const RATE = 20;
const SECONDS = 10;

describe.skipIf(missing.length > 0)(`sipp at ${RATE} calls/s for ${SECONDS} s`, () => {
  it("through a play-and-hang-up flow: every call served, one final CDR each", { timeout: 120_000 }, async () => {
    const result = await runSipLoad({ flow: "play", rate: RATE, seconds: SECONDS });
    expect(result, result.sippStderr).toMatchObject({ sippExitCode: 0, sippSuccessful: RATE * SECONDS, sippFailed: 0, callsStarted: RATE * SECONDS, callsWithoutOneFinalCdr: 0, callsOffPath: 0 });
    expect(failedCalls(result)).toBe(0);
  });

  it("through a menu → extension flow: digit 1 from every caller, every call answered by its registered phone, one final CDR each", { timeout: 120_000 }, async () => {
    const result = await runSipLoad({ flow: "menu_to_extension", rate: RATE, seconds: SECONDS, holdMs: 2000 });
    expect(result, result.sippStderr).toMatchObject({ sippExitCode: 0, sippSuccessful: RATE * SECONDS, sippFailed: 0, callsStarted: RATE * SECONDS, callsWithoutOneFinalCdr: 0, callsOffPath: 0, answeredByPhone: RATE * SECONDS });
    expect(result.phones).toMatchObject({ invites: RATE * SECONDS, acked: RATE * SECONDS, byesAnswered: RATE * SECONDS });
    // The callers' voices reached the phones through the bridges.
    expect(result.phones!.rtpPackets).toBeGreaterThan(RATE * SECONDS * 10);
    expect(failedCalls(result)).toBe(0);
  });
});
