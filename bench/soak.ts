/**
 * `npm run soak [-- --seconds N]`: a bounded soak test of the whole loop on
 * loopback (default 300 s; CI runs a short variant). Mixed load over the REST
 * API — inbound calls through a flow with a CRM look-up and a menu,
 * click-to-calls, phonebook edits, agents changing state — while the CRM fails
 * on a schedule (down, slow, 500s, 429s) and Switchboard is SIGKILLed and
 * restarted twice. Then it checks that nothing was lost, prints the figures,
 * and exits 1 when a check fails.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { openDatabase } from "@/server/db/client";
import { startServer, type RunningServer } from "@/tests/e2e/server";
import { FaultyCrm } from "./soak/faultyCrm";
import { callAndDeliveryFindings, LOOKUP_TIMEOUT_MS, prepareSoak, runSoakLoad, setSoakPhones, soakApi, untilOutboxDrained, newSoakCounters } from "./soak/load";
import { runClusterSoak } from "./soak/cluster";

const { values } = parseArgs({ options: { seconds: { type: "string", default: process.env.SOAK_SECONDS ?? "300" }, cluster: { type: "boolean", default: false } } });
const durationMs = Number(values.seconds) * 1000;

function rssKb(pid: number | undefined): number {
  if (!pid) return 0;
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-soak-"));
  // The services below seal CRM secrets with the data folder's app secret: it must be the server's folder.
  process.env.DATA_DIR = dataDir;
  const crm = new FaultyCrm();
  await crm.start();
  const setupDb = openDatabase(path.join(dataDir, "switchboard.db"));
  const setup = await prepareSoak(setupDb, crm.url);
  setupDb.$client.close();
  for (const [pathName, secret] of Object.entries(setup.secrets)) crm.setSecret(pathName, secret);

  let server: RunningServer = await startServer(dataDir, { LOG_LEVEL: "error" });
  const placed = new Set<string>();
  const counters = newSoakCounters();
  const api = soakApi(() => server.baseUrl, setup.auth, counters);
  await setSoakPhones(api);

  // Memory after warm-up: the highest the last process reached under load once warm (from 70% to 90% of the run);
  // a leak shows as the idle process at the end needing more than that.
  let warmRssKb = 0;
  const kill = async () => {
    const exited = new Promise((r) => (server.child.exitCode !== null ? r(null) : server.child.once("exit", r)));
    server.child.kill("SIGKILL");
    await exited;
    server = await startServer(dataDir, { LOG_LEVEL: "error" });
    await setSoakPhones(api);
  };
  const hangupReplies = await runSoakLoad({
    durationMs,
    crm,
    api,
    placed,
    counters,
    // Each fault is followed by a recovery, so no outage outlasts the hooks' retry schedule.
    faults: [
      { at: 0.1, mode: "down" }, // a minute in the 5-minute run
      { at: 0.25, kill },
      { at: 0.3, mode: "ok" },
      { at: 0.35, mode: "slow" },
      { at: 0.4, mode: "ok" },
      { at: 0.43, mode: "error500" },
      { at: 0.48, mode: "ok" },
      { at: 0.5, mode: "throttle429" },
      { at: 0.55, mode: "ok" },
      { at: 0.6, kill },
    ],
    onStep: (fractionDone) => {
      if (fractionDone > 0.7 && fractionDone < 0.9) warmRssKb = Math.max(warmRssKb, rssKb(server.child.pid));
    },
  });
  const dbFile = path.join(dataDir, "switchboard.db");
  const open = () => new Database(dbFile, { readonly: true, fileMustExist: true });
  await untilOutboxDrained(() => {
    const db = open();
    const row = db.prepare(`select count(*) n from deliveries where status in ('pending', 'in_flight')`).get() as { n: number };
    db.close();
    return row.n;
  });
  const endRssKb = rssKb(server.child.pid);
  await server.stop();
  await crm.stop();

  const db = open();
  const expected = db.prepare(`select m.id webhook_id from deliveries d join integration_messages m on m.id = d.message_id where d.outbound_api_id = ?`).all(setup.endOfCallApiId) as { webhook_id: string }[];
  const cdrsWritten = (db.prepare(`select count(*) n from cdrs`).get() as { n: number }).n;
  const { failures, cdrsDelivered } = callAndDeliveryFindings(
    {
      conversationsWithoutOneFinal: db.prepare(`select conversation_id, sum(is_final) n from cdrs group by conversation_id having n <> 1`).all().length,
      finalCallIds: new Set((db.prepare(`select call_id from cdrs where is_final = 1`).all() as { call_id: string }[]).map((r) => r.call_id)),
      endOfCallWebhookIds: expected.map((e) => e.webhook_id),
      cdrsWritten,
      deliveriesOutstanding: (db.prepare(`select count(*) n from deliveries where status in ('pending', 'in_flight')`).get() as { n: number }).n,
    },
    placed,
    crm,
    hangupReplies,
  );
  const slowestLookup = (db.prepare(`select max(a.latency_ms) ms from delivery_attempts a join deliveries d on d.id = a.delivery_id where d.outbound_api_id = ?`).get(setup.lookupApiId) as { ms: number | null }).ms ?? 0;
  if (slowestLookup > LOOKUP_TIMEOUT_MS + 500) failures.push(`a look-up held a call for ${slowestLookup} ms (budget ${LOOKUP_TIMEOUT_MS} ms)`);
  const deliveryStates = db.prepare(`select o.kind, d.status, count(*) n from deliveries d join outbound_apis o on o.id = d.outbound_api_id group by 1, 2`).all();
  // What the deliveries that did not succeed last saw, to tell a CRM fault from a delivery bug at a glance.
  const unsettled = db
    .prepare(
      `select o.kind, d.status, d.attempts, d.last_status_code, d.last_error_class, substr(d.last_error, 1, 120) last_error,
              d.next_attempt_at - unixepoch('subsec') * 1000 next_attempt_in_ms, d.lease_until is not null leased,
              (select group_concat(coalesce(a.status_code, a.error_class), ' ') from delivery_attempts a where a.delivery_id = d.id) attempt_outcomes
       from deliveries d join outbound_apis o on o.id = d.outbound_api_id
       where d.status not in ('succeeded', 'expired') and o.kind <> 'data_lookup' limit 20`,
    )
    .all();
  const integrity = db.pragma("integrity_check", { simple: true });
  if (integrity !== "ok") failures.push(`integrity_check: ${String(integrity)}`);
  db.close();
  const memoryGrowth = warmRssKb ? endRssKb / warmRssKb : 1;
  if (memoryGrowth > 1.2) failures.push(`memory grew ${Math.round((memoryGrowth - 1) * 100)}% after warm-up`);

  const summary = {
    soak_seconds: durationMs / 1000,
    ...counters,
    calls_placed: placed.size,
    final_hangup_replies: hangupReplies,
    cdrs_written: cdrsWritten,
    cdrs_delivered_deduplicated: cdrsDelivered,
    deliveries_received_with_retries: crm.received.length,
    slowest_lookup_ms: slowestLookup,
    rss_mb_after_warmup: Math.round(warmRssKb / 1024),
    rss_mb_at_end: Math.round(endRssKb / 1024),
    integrity: integrity,
    delivery_states: deliveryStates,
    unsettled_deliveries: unsettled,
    failures,
  };
  console.log(JSON.stringify(summary, null, 2));
  // A failed run keeps its data folder for inspection.
  if (failures.length > 0) console.log(`data kept in ${dataDir}`);
  else fs.rmSync(dataDir, { recursive: true, force: true });
  process.exitCode = failures.length > 0 ? 1 : 0;
}

void (values.cluster ? runClusterSoak(durationMs) : main());
