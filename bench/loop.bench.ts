/**
 * The whole loop, calls per second: the same CRM-heavy flow (notification,
 * look-up, end-of-call data) through the real runtime on SQLite, once with the
 * in-memory integration double (baseline) and once with the real HTTP
 * integration talking to the reference CRM receiver (crm-demo) on loopback —
 * signed requests, the outbox and the delivery worker included. A run ends when
 * every call has its final CDR and, with HTTP, every end-of-call message was
 * delivered. Real clock: there is no ringing in this flow, so time is CPU.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { systemClock } from "@/flows/runtime/clock";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { openDatabase, type Db } from "@/server/db/client";
import { phoneNumbers } from "@/server/db/schema";
import { createFlow, publishFlow } from "@/server/services/flows";
import { createOutboundApi } from "@/server/services/outboundApis";
import { Runtime } from "@/server/runtime/runtime";
import { createIntegration, attachToRuntime } from "@/server/integration";
import { CrmDemo } from "@/crm-demo/app";
import { freePort } from "@/tests/e2e/server";
import { medianOf, report, round } from "./stats";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const CALLS = Number(process.env.BENCH_LOOP_CALLS ?? 1000);

function crmFlow(lookupApiId: string, notifyApiId: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    schema_version: 1,
    name: "Loop benchmark",
    nodes: [
      node("start", "start", {}, 0),
      node("notify", "notify", { outbound_api_id: notifyApiId }, 1),
      node("lookup", "data_lookup", { outbound_api_id: lookupApiId }, 2),
      node("vars", "set_variables", { assignments: [{ name: "owner", value: "{{ lookup.extension | default: 'none' }}" }] }, 3),
      node("bye", "hangup", {}, 4),
    ],
    edges: [
      { id: "e1", source: "start", source_port: "next", target: "notify" },
      { id: "e2", source: "notify", source_port: "next", target: "lookup" },
      { id: "e3", source: "lookup", source_port: "found", target: "vars" },
      { id: "e4", source: "lookup", source_port: "not_found", target: "vars" },
      { id: "e5", source: "lookup", source_port: "error", target: "vars" },
      { id: "e6", source: "vars", source_port: "next", target: "bye" },
    ],
  };
}

interface Setup {
  db: Db;
  dir: string;
  lookupId: string;
  notifyId: string;
  cdrApiId: string;
  secrets: string[];
}

async function setup(crmPort: number): Promise<Setup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-loop-"));
  process.env.DATA_DIR = dir; // the app secret that seals CRM secrets lives in the data folder
  const db = openDatabase(path.join(dir, "switchboard.db"));
  const url = `http://127.0.0.1:${crmPort}`;
  const lookup = await createOutboundApi(db, { kind: "data_lookup", name: "Look-up", url: `${url}/lookup` });
  const notify = await createOutboundApi(db, { kind: "incoming_notification", name: "Card", url: `${url}/events` });
  const cdr = await createOutboundApi(db, { kind: "end_of_call", name: "CDR", url: `${url}/cdr`, apply_to: "all_calls" });
  const flow = await createFlow(db, crmFlow(lookup.outboundApi.id, notify.outboundApi.id), null);
  await publishFlow(db, flow.id, null);
  db.insert(phoneNumbers).values({ id: "did_bench", number: "+3612345678", flowId: flow.id }).run();
  return { db, dir, lookupId: lookup.outboundApi.id, notifyId: notify.outboundApi.id, cdrApiId: cdr.outboundApi.id, secrets: [lookup.signingSecret, notify.signingSecret, cdr.signingSecret] };
}

const count = (db: Db, sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;

async function runCalls(runtime: Runtime, db: Db, done: () => boolean): Promise<number> {
  const before = count(db, "select count(*) n from cdrs where is_final = 1");
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    runtime.pbx.placeInboundCall({ from: `+3630${String(1_000_000 + i).slice(-7)}`, to: "+3612345678" });
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  while (count(db, "select count(*) n from cdrs where is_final = 1") - before < CALLS || !done()) await new Promise((r) => setTimeout(r, 5));
  return CALLS / ((performance.now() - started) / 1000);
}

async function main() {
  console.info = () => {}; // the reference CRM narrates every event it receives
  const crmPort = await freePort();
  const world = await setup(crmPort);
  const crm = new CrmDemo({ secrets: world.secrets, switchboardUrl: "http://127.0.0.1:1" });
  await crm.listen(crmPort, "127.0.0.1");

  const recordingsDir = path.join(world.dir, "recordings");
  const doubleRuntime = new Runtime({
    db: world.db,
    recordingsDir,
    logger: silent,
    clock: systemClock,
    integration: new InMemoryIntegration({ lookups: { [world.lookupId]: { status: "found", extension: "102" } } }),
  });
  const withDouble = await medianOf(3, () => runCalls(doubleRuntime, world.db, () => true));
  doubleRuntime.shutdown();

  const httpRuntime = new Runtime({ db: world.db, recordingsDir, logger: silent, clock: systemClock });
  const integration = createIntegration({ db: world.db, clock: systemClock, logger: silent });
  attachToRuntime(integration, httpRuntime);
  integration.worker.start();
  const readonly = new Database(path.join(world.dir, "switchboard.db"), { readonly: true });
  const delivered = () =>
    (readonly.prepare(`select count(*) n from deliveries where status in ('pending', 'in_flight')`).get() as { n: number }).n === 0;
  const withHttp = await medianOf(3, () => runCalls(httpRuntime, world.db, delivered));
  integration.stop();
  httpRuntime.shutdown();
  readonly.close();
  await new Promise((r) => crm.server.close(r));
  world.db.$client.close();
  fs.rmSync(world.dir, { recursive: true, force: true });

  report("loop", {
    calls: CALLS,
    calls_per_s_integration_double: round(withDouble, 0),
    calls_per_s_real_http_crm: round(withHttp, 0),
    http_vs_double_ratio: round(withHttp / withDouble),
    crm_events_received: crm.events.length,
  });
}

void main();
