/**
 * `npm run soak -- --cluster [--seconds N]`: the soak on several processes sharing one PostgreSQL database
 * (issue #12; server/runtime/README.md, "Several processes"). It builds nothing: it starts the production
 * server of the last `npm run build` (`npm start`) five times — two `web,api`, one `runtime`, two `worker` — on
 * a throwaway database of the test cluster (TEST_DATABASE_URL, from `scripts/pg-cluster.sh start`), runs the
 * mixed load of `npm run soak` through both API processes while the CRM misbehaves, SIGKILLs a worker, an API
 * process and the runtime during the run (each restarted; the runtime at its own address, so it closes its
 * previous run's calls at once), then checks: every call has exactly one final CDR, every CDR reached the CRM
 * exactly once after de-duplication, no delivery is left in flight, and no delivery attempt was made twice
 * (two workers holding the same lease would both record attempt n). Exits 1 when a check fails.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "@/server/db/client";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { freePort, startBuiltServer, untilHealthy, type RunningServer } from "@/tests/e2e/server";
import { FaultyCrm } from "./faultyCrm";
import { callAndDeliveryFindings, prepareSoak, runSoakLoad, setSoakPhones, soakApi, untilOutboxDrained, newSoakCounters } from "./load";

interface Member {
  name: string;
  roles: string;
  port: number;
  server: RunningServer | null;
}

export async function runClusterSoak(durationMs: number): Promise<void> {
  if (!testDatabaseUrl) {
    console.error('The cluster soak needs a PostgreSQL cluster: eval "$(scripts/pg-cluster.sh start)" (sets TEST_DATABASE_URL)');
    process.exit(1);
  }
  // The build script is an ES module with top-level await: loaded with import(), which tsx leaves to Node.
  // @ts-expect-error -- a plain ES module without types
  const { isStale } = (await import("../../scripts/build.mjs")) as { isStale: () => boolean };
  if (isStale()) {
    console.error("The cluster soak runs the production build as it is: run `npm run build` first");
    process.exit(1);
  }
  const database = await createTestPostgres(testDatabaseUrl);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-cluster-soak-"));
  // Every process signs sessions and internal requests with it; the CRM secrets below are sealed with it too.
  process.env.SWITCHBOARD_SECRET = crypto.randomBytes(24).toString("base64url");
  const crm = new FaultyCrm();
  await crm.start();
  const setup = await prepareSoak(database.db as unknown as Db, crm.url);
  for (const [pathName, secret] of Object.entries(setup.secrets)) crm.setSecret(pathName, secret);

  const members: Member[] = [];
  for (const [name, roles] of [["api-1", "web,api"], ["api-2", "web,api"], ["runtime", "runtime"], ["worker-1", "worker"], ["worker-2", "worker"]] as const) {
    members.push({ name, roles, port: await freePort(), server: null });
  }
  const start = async (member: Member) => {
    const server = await startBuiltServer(dataDir, {
      DATABASE_URL: database.url,
      SWITCHBOARD_SECRET: process.env.SWITCHBOARD_SECRET!,
      SWITCHBOARD_ROLES: member.roles,
      PORT: String(member.port),
      LOG_LEVEL: "error",
    });
    await untilHealthy(server);
    member.server = server;
  };
  const kill = async (member: Member) => {
    const child = member.server!.child;
    const exited = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
    member.server = null;
    child.kill("SIGKILL");
    await exited;
  };
  for (const member of members) await start(member);
  const byName = (name: string) => members.find((m) => m.name === name)!;
  const apis = [byName("api-1"), byName("api-2")];

  const counters = newSoakCounters();
  let turn = 0;
  // Round robin over the API processes that are up, as a load balancer would.
  const api = soakApi(() => {
    const up = apis.filter((m) => m.server);
    return up[turn++ % up.length].server!.baseUrl;
  }, setup.auth, counters);
  await setSoakPhones(api);

  const placed = new Set<string>();
  const restarts: Array<Promise<void>> = [];
  /** SIGKILLs a member; the load goes on while it restarts (a runtime's absence answers 503 to new calls). */
  const killAndRestart = (name: string) => async () => {
    const member = byName(name);
    await kill(member);
    restarts.push(start(member).then(() => (member.roles.includes("runtime") ? setSoakPhones(api).then(() => undefined) : undefined)));
  };
  const hangupReplies = await runSoakLoad({
    durationMs,
    crm,
    api,
    placed,
    counters,
    faults: [
      { at: 0.1, mode: "down" },
      { at: 0.2, kill: killAndRestart("worker-1") },
      { at: 0.3, mode: "ok" },
      { at: 0.35, mode: "slow" },
      { at: 0.4, kill: killAndRestart("api-1") },
      { at: 0.45, mode: "error500" },
      { at: 0.5, mode: "ok" },
      { at: 0.6, kill: killAndRestart("runtime") },
      { at: 0.65, mode: "throttle429" },
      { at: 0.7, mode: "ok" },
    ],
  });
  await Promise.all(restarts);
  const query = async <Row>(text: string, params: unknown[] = []) => (await database.db.$client.query(text, params)).rows as Row[];
  const outstanding = async () => (await query<{ n: number }>(`select count(*)::int n from deliveries where status in ('pending', 'in_flight')`))[0].n;
  await untilOutboxDrained(outstanding);
  await Promise.all(members.map((m) => m.server?.stop()));
  await crm.stop();

  const cdrsWritten = (await query<{ n: number }>(`select count(*)::int n from cdrs`))[0].n;
  const { failures, cdrsDelivered } = callAndDeliveryFindings(
    {
      conversationsWithoutOneFinal: (await query(`select conversation_id from cdrs group by conversation_id having sum(case when is_final then 1 else 0 end) <> 1`)).length,
      finalCallIds: new Set((await query<{ call_id: string }>(`select call_id from cdrs where is_final`)).map((r) => r.call_id)),
      endOfCallWebhookIds: (
        await query<{ webhook_id: string }>(`select m.id webhook_id from deliveries d join integration_messages m on m.id = d.message_id where d.outbound_api_id = $1`, [setup.endOfCallApiId])
      ).map((e) => e.webhook_id),
      cdrsWritten,
      deliveriesOutstanding: await outstanding(),
    },
    placed,
    crm,
    hangupReplies,
  );
  const attemptsTwice = await query(`select delivery_id, attempt_no from delivery_attempts group by 1, 2 having count(*) > 1`);
  if (attemptsTwice.length > 0) failures.push(`${attemptsTwice.length} delivery attempts were made twice (two workers held the same lease)`);
  const attempts = (await query<{ n: number }>(`select count(*)::int n from delivery_attempts`))[0].n;
  const deliveryStates = await query(`select o.kind, d.status, count(*)::int n from deliveries d join outbound_apis o on o.id = d.outbound_api_id group by 1, 2 order by 1, 2`);

  console.log(
    JSON.stringify(
      {
        soak_seconds: durationMs / 1000,
        processes: members.map((m) => `${m.name} (${m.roles})`),
        ...counters,
        calls_placed: placed.size,
        final_hangup_replies: hangupReplies,
        cdrs_written: cdrsWritten,
        cdrs_delivered_deduplicated: cdrsDelivered,
        deliveries_received_with_retries: crm.received.length,
        delivery_attempts: attempts,
        delivery_states: deliveryStates,
        failures,
      },
      null,
      2,
    ),
  );
  if (failures.length > 0) console.log(`database ${database.url.replace(/:[^:@/]*@/, ":…@")} and data folder ${dataDir} kept for inspection`);
  else {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  process.exitCode = failures.length > 0 ? 1 : 0;
}
