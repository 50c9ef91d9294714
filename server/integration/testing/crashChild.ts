/**
 * A Switchboard process for the crash tests, run as a child with
 * `node --import tsx` so the test can SIGKILL it at chosen moments:
 *
 *   worker <db>                     runtime + delivery worker on the real clock (recovers calls, resends leases)
 *   call <db> after-commit          places a call and dies right after its final CDR committed
 *   call <db> in-transaction        places a call and dies inside the final CDR's transaction
 */
import path from "node:path";
import { systemClock } from "@/flows/runtime/clock";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { openDatabase } from "../../db/client";
import { Runtime } from "../../runtime/runtime";
import { attachToRuntime, createIntegration } from "../index";
import { parseNetworkPolicy } from "../networkPolicy";
import { silentLogger } from "./harness";

const [mode, dbFile, moment] = process.argv.slice(2);
const db = openDatabase(dbFile);
const recordingsDir = path.join(path.dirname(dbFile), "recordings");
const die = () => process.kill(process.pid, "SIGKILL");

async function main(): Promise<void> {
  if (mode === "worker") {
    const runtime = new Runtime({ db, recordingsDir, logger: silentLogger, clock: systemClock });
    const integration = createIntegration({ db, clock: systemClock, logger: silentLogger, policy: parseNetworkPolicy("allow-lan") });
    attachToRuntime(integration, runtime);
    integration.worker.start();
    await runtime.recoverInterruptedCalls();
    process.stdout.write("ready\n");
    return;
  }
  // The call runs on a manual clock set to a Tuesday 10:00 in Budapest (the demo reception flow is open);
  // the outbox stamps its deliveries with the real time, so the restarted worker finds them due.
  const clock = new ManualClock("2026-11-24T09:00:00Z");
  const runtime = new Runtime({ db, recordingsDir, logger: silentLogger, clock });
  const integration = createIntegration({ db, clock: systemClock, logger: silentLogger, policy: parseNetworkPolicy("allow-lan") });
  attachToRuntime(integration, runtime);
  if (moment === "in-transaction") runtime.store.onConversationEnded.push(die);
  // Subscribers run after the sink, i.e. after the final CDR's transaction committed.
  if (moment === "after-commit") runtime.pbx.subscribe((event) => event.type === "conversation.ended" && die());
  const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
  await clock.advanceAsync(2_000);
  runtime.pbx.sendDtmf(callId, "1");
  await clock.advanceAsync(500);
  runtime.pbx.answerPhone("101");
  await clock.advanceAsync(10_000);
  process.stdout.write(`call ${callId}\n`);
  runtime.pbx.hangupCall(callId);
  await flushPromises();
  process.stdout.write("survived\n");
}

void main();
