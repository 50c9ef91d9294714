/**
 * A Switchboard process for the crash tests, run as a child with
 * `node --import tsx` so the test can SIGKILL it at chosen moments. `<db>` is
 * the SQLite file or the PostgreSQL URL of the test's database, `<rec>` its
 * recordings folder:
 *
 *   worker <db> <rec> [ahead-ms]     runtime + delivery worker on the real clock, or that far ahead of it
 *                                    (recovers calls, resends leases)
 *   call <db> <rec> after-commit     places a call and dies right after its final CDR committed
 *   call <db> <rec> in-transaction   places a call and dies inside the final CDR's unit, before it is committed
 */
import type { Clock } from "@/flows/runtime/ports";
import { systemClock } from "@/flows/runtime/clock";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { openDatabase, type Db } from "../../db/client";
import { openPostgres } from "../../db/postgres";
import { recordWriterFor } from "../../runtime/recordWriter";
import { Runtime } from "../../runtime/runtime";
import { createRuntimeStore, type PostgresRuntimeStore, type RuntimeStore } from "../../runtime/runtimeStore";
import { attachToRuntime, createIntegration } from "../index";
import { parseNetworkPolicy } from "../networkPolicy";
import { silentLogger } from "./harness";

const [mode, location, recordingsDir, argument] = process.argv.slice(2);
const onPostgres = /^postgres(ql)?:\/\//.test(location);
const die = () => process.kill(process.pid, "SIGKILL");

/** The database as the process opens it; the pool stays open until the process is killed. */
async function open(): Promise<Db> {
  if (!onPostgres) return openDatabase(location);
  // The one cast getDb() makes too (server/db/client.ts).
  return (await openPostgres(location, { maxConnections: 4 })).db as unknown as Db;
}

/** The real clock, `aheadMs` later: a restart that comes after the dead process's leases ran out. */
function clockAhead(aheadMs: number): Clock {
  return { now: () => systemClock.now() + aheadMs, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
}

function integrationFor(db: Db, data: RuntimeStore, clock: Clock) {
  const versions = onPostgres ? (data as PostgresRuntimeStore).versions : undefined;
  return createIntegration({ db, clock, logger: silentLogger, policy: parseNetworkPolicy("allow-lan"), versions });
}

async function main(): Promise<void> {
  const db = await open();
  const data = await createRuntimeStore(db);
  if (mode === "worker") {
    const clock = argument ? clockAhead(Number(argument)) : systemClock;
    const runtime = new Runtime({ data, recordingsDir, logger: silentLogger, clock });
    const integration = integrationFor(db, data, clock);
    await integration.catalog.load();
    attachToRuntime(integration, runtime);
    integration.worker.start();
    await runtime.recoverInterruptedCalls();
    process.stdout.write("ready\n");
    return;
  }
  // The call runs on a manual clock set to a Tuesday 10:00 in Budapest (the demo reception flow is open);
  // the outbox stamps its deliveries with the real time, so the restarted worker finds them due.
  const clock = new ManualClock("2026-11-24T09:00:00Z");
  const writer = recordWriterFor(db);
  const runtime = new Runtime({ data, recordingsDir, logger: silentLogger, clock });
  const integration = integrationFor(db, data, systemClock);
  await integration.catalog.load();
  attachToRuntime(integration, runtime);
  if (argument === "in-transaction") runtime.store.onConversationEnded.push(die);
  // Subscribers run after the sink has recorded the final CDR's unit; the writer calls back once it is committed
  // (SQLite: at once, PostgreSQL: after the flush).
  if (argument === "after-commit") runtime.pbx.subscribe((event) => event.type === "conversation.ended" && writer.afterCommit(die));
  const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
  // The flow is read from the database before the call runs it (real I/O the manual clock does not wait for).
  while (!runtime.live.get(callId)) await new Promise((resolve) => setTimeout(resolve, 5));
  await clock.advanceAsync(2_000);
  runtime.pbx.sendDtmf(callId, "1");
  await clock.advanceAsync(500);
  runtime.pbx.answerPhone("101");
  await clock.advanceAsync(10_000);
  // The call so far is in the database (its open call, partial CDRs): the crash is about its end.
  await writer.durable();
  process.stdout.write(`call ${callId}\n`);
  runtime.pbx.hangupCall(callId);
  await flushPromises();
  await writer.durable();
  process.stdout.write("survived\n");
}

void main();
