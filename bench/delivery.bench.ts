/**
 * CRM delivery engine speed, against baselines measured in the same run:
 *
 * 1. Durable deliveries per second — each message written to the outbox in
 *    its own transaction (as a call's end would), claimed with a lease, sent
 *    signed, and its result saved — against a plain undici POST loop with the
 *    same concurrency to the same receiver. Goal: ratio ≥ 0.5.
 * 2. Look-up overhead — what a data look-up (request building, signing,
 *    mapping, circuit breaker; the log is written after the answer) adds to
 *    the CRM's own response time, at p50 and p99 of the per-request
 *    difference to a bare request made just before it. Goal: < 2 ms.
 *
 * 3. On PostgreSQL (when TEST_DATABASE_URL is set; a fresh database of the
 *    test cluster): the same durable drain next to SQLite's; two worker
 *    instances (pools of their own, as two processes would have) against one,
 *    on a receiver that answers after a fixed 25 ms, so the work is I/O bound
 *    (goal ≥ 1.6×); the wake-up latency — from the commit of a delivery by
 *    another connection to the CRM receiving it, with the worker woken by
 *    NOTIFY against poll-only (the trigger disabled), interleaved in the same
 *    run, default 1 s poll; and the failover time with default settings — a
 *    worker child process holding leases on an endpoint with the default 10 s
 *    timeout is SIGKILLed, and another worker retries its deliveries once the
 *    leases expire: before lease renewal a lease lasted 16 rounds × the
 *    timeout + 30 s = 190 s (a child taking that lease stands in for the old
 *    code: for a killed worker only the lease length matters), now the
 *    default 20 s lease. `BENCH_FAILOVER_BEFORE=0` skips the 190 s wait.
 *
 * Run: `npx tsx bench/delivery.bench.ts` (not part of `npm test`). The
 * receiver runs in a child process so it does not share the engine's event
 * loop. Warm-up, then medians of 3 runs; prints one JSON line per backend.
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { median, percentile, report, round } from "./stats";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 4_000);
const CONCURRENCY = 8;
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 1_500);
const RUNS = 3;
const PG_MESSAGES = Number(process.env.BENCH_PG_MESSAGES ?? 3_000);
/** The receiver's fixed latency for the two-workers figure: I/O bound, not CPU bound. */
const SLOW_REPLY_MS = 25;
const FAILOVER_MESSAGES = 40;
/** What a lease lasted before renewal, with the default 10 s endpoint timeout: 16 rounds of it plus the 30 s margin. */
const LEASE_BEFORE_RENEWAL_MS = 16 * 10_000 + 30_000;
const MEASURE_FAILOVER_BEFORE = process.env.BENCH_FAILOVER_BEFORE !== "0";
/** Commits per mode (NOTIFY, poll-only) for the wake-up latency, in rounds that alternate the two. */
const WAKE_SAMPLES = Number(process.env.BENCH_WAKE_SAMPLES ?? 20);
const WAKE_ROUNDS = 2;

// ── child: the CRM ─────────────────────────────────────────────────────────

function serveReceiver(): void {
  const reply = JSON.stringify({ extension: "102", contact: { id: "C-1", name: "Varga László" } });
  /** `/failover…`: no answer until the parent says the workers holding the requests were killed; then 200 at once. */
  let hanging = true;
  process.on("message", (message) => {
    if (message === "answer-failover") hanging = false;
  });
  const server = http.createServer((req, res) => {
    // `/wake`: when it arrived (wall clock, comparable across processes), for the wake-up latency.
    if (req.url === "/wake") process.send?.({ wakeArrivedAt: performance.timeOrigin + performance.now() });
    req.resume();
    req.on("end", () => {
      const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(reply);
      if (req.url === "/slow") setTimeout(answer, SLOW_REPLY_MS);
      else if (!req.url?.startsWith("/failover") || !hanging) answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
}

// ── parent ─────────────────────────────────────────────────────────────────

async function startReceiver(): Promise<{ url: string; stop: () => void; answerFailover: () => void; nextWakeArrival: () => Promise<number> }> {
  const child = fork(new URL(import.meta.url).pathname, ["receiver"], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const port = await new Promise<number>((resolve) => child.once("message", (message) => resolve(message as number)));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => child.kill(),
    answerFailover: () => child.send("answer-failover"),
    nextWakeArrival: () =>
      new Promise<number>((resolve) => {
        const arrived = (message: unknown) => {
          if (typeof message !== "object" || message === null || !("wakeArrivedAt" in message)) return;
          child.off("message", arrived);
          resolve((message as { wakeArrivedAt: number }).wakeArrivedAt);
        };
        child.on("message", arrived);
      }),
  };
}

async function main(): Promise<void> {
  process.env.SWITCHBOARD_SECRET ??= "delivery-benchmark-app-secret-0123456789";
  const { systemClock } = await import("@/flows/runtime/clock");
  const { openDatabase } = await import("@/server/db/client");
  const { createIntegration } = await import("@/server/integration");
  const { parseNetworkPolicy } = await import("@/server/integration/networkPolicy");
  const { createOutboundApi } = await import("@/server/services/outboundApis");
  const { sampleEvent } = await import("@/server/integration/samples");

  const receiver = await startReceiver();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-delivery-bench-"));
  const db = openDatabase(path.join(dataDir, "bench.db"));
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const integration = createIntegration({ db, clock: systemClock, logger: silent, policy: parseNetworkPolicy("allow-lan"), concurrencyPerEndpoint: CONCURRENCY });
  const cdrApi = (await createOutboundApi(db, { kind: "end_of_call", name: "bench", url: `${receiver.url}/cdr`, apply_to: "all_calls" })).outboundApi;
  const lookupApi = (await createOutboundApi(db, { kind: "data_lookup", name: "bench lookup", url: `${receiver.url}/lookup` })).outboundApi;
  const event = sampleEvent("end_of_call");
  const body = JSON.stringify(event);
  const plainAgent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  const remaining = db.$client.prepare(`select count(*) from deliveries where status in ('pending', 'in_flight')`).pluck();

  /** The baseline: the same POSTs with the same concurrency, nothing stored. */
  async function plainPerSecond(count: number): Promise<number> {
    let next = 0;
    const started = performance.now();
    const loop = async () => {
      while (next < count) {
        next++;
        const reply = await request(`${receiver.url}/cdr`, { method: "POST", headers: { "content-type": "application/json" }, body, dispatcher: plainAgent });
        await reply.body.dump();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, loop));
    return count / ((performance.now() - started) / 1000);
  }

  /**
   * The worker draining a backlog: every delivery leased, sent signed and its
   * result saved. The outbox write itself shares the commit of the event that
   * causes it (the CDR's transaction), so it is measured apart: its marginal
   * cost per message inside a transaction, and end to end with a commit of
   * its own per message (the worst case: every event alone).
   */
  async function durablePerSecond(count: number, ownCommit = false): Promise<{ perSecond: number; writeUs: number }> {
    const api = integration.catalog.get(cdrApi.id)!;
    const enqueueOne = db.$client.transaction(() => integration.outbox.enqueue(event, [api]));
    const enqueueAll = db.$client.transaction(() => {
      for (let i = 0; i < count; i++) integration.outbox.enqueue(event, [api]);
    });
    const started = performance.now();
    if (ownCommit) integration.worker.start();
    if (ownCommit) {
      for (let i = 0; i < count; i++) {
        enqueueOne();
        // Let the worker run alongside, as it does while calls end.
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
      }
    } else enqueueAll();
    const written = performance.now();
    if (!ownCommit) integration.worker.start();
    while ((remaining.get() as number) > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const finished = performance.now();
    await integration.worker.stop();
    const measured = ownCommit ? finished - started : finished - written;
    return { perSecond: count / (measured / 1000), writeUs: ((written - started) / count) * 1000 };
  }

  /** Latencies (ms) of the CRM alone and of a full look-up, interleaved so drift hits both alike. */
  async function lookupLatencies(count: number): Promise<{ plain: number[]; lookup: number[]; added: number[] }> {
    const api = integration.catalog.get(lookupApi.id)!;
    const call = {
      id: "call_bench",
      conversationId: "conv_bench",
      direction: "inbound" as const,
      caller: { number: "+36301112233", numberRaw: "06301112233", name: null },
      calledNumber: "+3612345678",
      startedAt: new Date().toISOString(),
      flowId: null,
    };
    const lookupBody = JSON.stringify(sampleEvent("data_lookup"));
    const plain: number[] = [];
    const lookup: number[] = [];
    for (let i = 0; i < count; i++) {
      let started = performance.now();
      const reply = await request(`${receiver.url}/lookup`, { method: "POST", headers: { "content-type": "application/json" }, body: lookupBody, dispatcher: plainAgent });
      JSON.parse(await reply.body.text());
      plain.push(performance.now() - started);
      started = performance.now();
      const result = await integration.lookups.lookup(api, call, "lookup", {});
      lookup.push(performance.now() - started);
      if (result.status !== "found") throw new Error(`look-up failed: ${JSON.stringify(result)}`);
    }
    // Paired per request: each look-up against the bare request made just before it, so machine-wide stalls hit both.
    const added = lookup.map((ms, index) => ms - plain[index]).sort((a, b) => a - b);
    return { plain: plain.sort((a, b) => a - b), lookup: lookup.sort((a, b) => a - b), added };
  }

  // Warm-up (JIT, connections, SQLite pages), not counted.
  await plainPerSecond(500);
  await durablePerSecond(500);
  await durablePerSecond(500, true);
  await lookupLatencies(200);

  const plainRuns: number[] = [];
  const durableRuns: number[] = [];
  const writeUs: number[] = [];
  const ownCommitRuns: number[] = [];
  const p50s: number[] = [];
  const p99s: number[] = [];
  const crmP50s: number[] = [];
  const lookupP50s: number[] = [];
  const lookupP99s: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    plainRuns.push(await plainPerSecond(MESSAGES));
    const drained = await durablePerSecond(MESSAGES);
    durableRuns.push(drained.perSecond);
    writeUs.push(drained.writeUs);
    ownCommitRuns.push((await durablePerSecond(MESSAGES, true)).perSecond);
    const { plain, lookup, added } = await lookupLatencies(LOOKUPS);
    crmP50s.push(percentile(plain, 50));
    lookupP50s.push(percentile(lookup, 50));
    lookupP99s.push(percentile(lookup, 99));
    p50s.push(percentile(added, 50));
    p99s.push(percentile(added, 99));
  }

  const plain = median(plainRuns);
  const durable = median(durableRuns);
  report("delivery", {
    messages_per_run: MESSAGES,
    concurrency_per_endpoint: CONCURRENCY,
    plain_posts_per_s: Math.round(plain),
    durable_deliveries_per_s: Math.round(durable),
    durable_vs_plain: round(durable / plain),
    goal_durable_vs_plain: 0.5,
    outbox_write_us_per_message: round(median(writeUs), 1),
    end_to_end_own_commit_per_s: Math.round(median(ownCommitRuns)),
    end_to_end_own_commit_vs_plain: round(median(ownCommitRuns) / plain),
    crm_p50_ms: round(median(crmP50s), 3),
    lookup_p50_ms: round(median(lookupP50s), 3),
    lookup_p99_ms: round(median(lookupP99s), 3),
    lookup_overhead_p50_ms: round(median(p50s), 3),
    lookup_overhead_p99_ms: round(median(p99s), 3),
    goal_lookup_overhead_ms: 2,
  });

  await integration.stop();
  if (process.env.TEST_DATABASE_URL) await postgres(receiver, { plain, sqliteDurable: durable });
  else console.error("delivery bench: TEST_DATABASE_URL is unset, the PostgreSQL figures are skipped");
  await plainAgent.close();
  receiver.stop();
  db.$client.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** An integration on its own pg pool (another worker process would have its own), catalogue loaded. */
async function pgWorker(url: string, options: { leaseMs?: number } = {}) {
  const { systemClock } = await import("@/flows/runtime/clock");
  const { openPostgres } = await import("@/server/db/postgres");
  const { createIntegration } = await import("@/server/integration");
  const { parseNetworkPolicy } = await import("@/server/integration/networkPolicy");
  const connection = await openPostgres(url, { maxConnections: Number(process.env.BENCH_PG_POOL ?? 10) });
  const db = connection.db as unknown as import("@/server/db/client").Db;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const integration = createIntegration({ db, clock: systemClock, logger: silent, policy: parseNetworkPolicy("allow-lan"), concurrencyPerEndpoint: CONCURRENCY, ...options });
  await integration.catalog.load();
  return {
    db,
    integration,
    close: async () => {
      await integration.stop();
      await connection.close();
    },
  };
}

async function postgres(receiver: Awaited<ReturnType<typeof startReceiver>>, sqlite: { plain: number; sqliteDurable: number }): Promise<void> {
  const receiverUrl = receiver.url;
  const { createTestPostgres } = await import("@/tests/helpers/postgres");
  const { createOutboundApi } = await import("@/server/services/outboundApis");
  const { recordWriterFor } = await import("@/server/runtime/recordWriter");
  const { sampleEvent } = await import("@/server/integration/samples");
  const { DEFAULT_LEASE_MS } = await import("@/server/integration/worker");
  const database = await createTestPostgres(process.env.TEST_DATABASE_URL!);
  const pool = database.db.$client;
  const event = sampleEvent("end_of_call");
  const main = await pgWorker(database.url);
  const endpoint = async (name: string, url: string, timeoutMs?: number) => {
    const { outboundApi } = await createOutboundApi(main.db, { kind: "end_of_call", name, url, apply_to: "all_calls", ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) });
    return outboundApi.id;
  };
  const fast = await endpoint("bench fast", `${receiverUrl}/cdr`);
  const slow = await endpoint("bench slow", `${receiverUrl}/slow`);
  const wake = await endpoint("bench wake", `${receiverUrl}/wake`);
  // The default 10 s timeout: the failover figures are for the default settings.
  const failoverBefore = await endpoint("bench failover before", `${receiverUrl}/failover-before`);
  const failoverAfter = await endpoint("bench failover after", `${receiverUrl}/failover-after`);
  await main.integration.catalog.load();

  /** Queues a backlog through the outbox (the runtime's record writer) and waits until it is committed. */
  async function backlog(apiId: string, count: number): Promise<void> {
    const api = main.integration.catalog.get(apiId)!;
    for (let i = 0; i < count; i++) main.integration.outbox.enqueue(event, [api]);
    await recordWriterFor(main.db).durable();
  }
  const waitUntilDelivered = async () => {
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(`select count(*) as n from deliveries where status <> 'succeeded'`);
      if (rows[0].n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** Deliveries per second while the given workers drain a backlog of `count`. */
  async function drain(workers: Array<Awaited<ReturnType<typeof pgWorker>>>, apiId: string, count: number): Promise<number> {
    await backlog(apiId, count);
    const started = performance.now();
    for (const worker of workers) worker.integration.worker.start();
    await waitUntilDelivered();
    const perSecond = count / ((performance.now() - started) / 1000);
    for (const worker of workers) await worker.integration.worker.stop();
    return perSecond;
  }

  const second = await pgWorker(database.url);
  // Warm-up (connections, plans, JIT), not counted.
  await drain([main], fast, 500);
  await drain([main, second], slow, 500);
  const durableRuns: number[] = [];
  const oneRuns: number[] = [];
  const twoRuns: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    durableRuns.push(await drain([main], fast, PG_MESSAGES));
    oneRuns.push(await drain([main], slow, PG_MESSAGES));
    twoRuns.push(await drain([main, second], slow, PG_MESSAGES));
  }
  await second.close();

  // Wake-up latency: a delivery committed by another connection (as a runtime process commits a CDR's outbox rows)
  // until the CRM has it; the worker polls every second (the default) and listens, unless the trigger is disabled.
  const payload = JSON.stringify(event);
  let wakeCount = 0;
  /** Commits one pending delivery on the bench's own pool; returns the time just before COMMIT (wall clock, as the receiver's). */
  async function commitElsewhere(): Promise<number> {
    const client = await pool.connect();
    try {
      const now = Date.now();
      const messageId = `msg_wake_${++wakeCount}`;
      await client.query("begin");
      await client.query(`insert into integration_messages (id, event_type, conversation_id, payload, created_at) values ($1, $2, 'bench', $3, $4)`, [messageId, event.type, payload, now]);
      await client.query(
        `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, created_at, updated_at) values ($1, $2, $3, 'pending', 0, $4, $4, $4)`,
        [`dlv_wake_${wakeCount}`, messageId, wake, now],
      );
      const committing = performance.timeOrigin + performance.now();
      await client.query("commit");
      return committing;
    } finally {
      client.release();
    }
  }
  async function wakeLatencyMs(): Promise<number> {
    // A phase spread evenly over the worker's 1 s poll (the previous delivery was claimed at a poll tick or a wake-up).
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 1_000));
    const arrival = receiver.nextWakeArrival();
    const committedAt = await commitElsewhere();
    return (await arrival) - committedAt;
  }
  main.integration.worker.start();
  await wakeLatencyMs();
  const wakeMs = { notify: [] as number[], poll: [] as number[] };
  for (let round = 0; round < WAKE_ROUNDS; round++) {
    for (const mode of ["notify", "poll"] as const) {
      await pool.query(`alter table deliveries ${mode === "notify" ? "enable" : "disable"} trigger deliveries_due_on_insert`);
      for (let i = 0; i < WAKE_SAMPLES / WAKE_ROUNDS; i++) wakeMs[mode].push(await wakeLatencyMs());
    }
  }
  await pool.query("alter table deliveries enable trigger deliveries_due_on_insert");
  await main.integration.worker.stop();
  const sortedWake = (values: number[]) => [...values].sort((a, b) => a - b);

  // Failover with default settings: a worker child process leases an endpoint's backlog, its requests hang, and it is
  // SIGKILLed. Both children are killed before the survivor starts; each figure counts from its own kill.
  async function killWorkerHolding(apiId: string, leaseMs?: number): Promise<{ killedAt: number; held: number; leased: number }> {
    await backlog(apiId, FAILOVER_MESSAGES);
    const child = fork(new URL(import.meta.url).pathname, ["failover-worker", database.url, String(leaseMs ?? "")], { execArgv: ["--import", "tsx"], stdio: "inherit" });
    const held = await new Promise<number>((resolve) => child.once("message", (message) => resolve(message as number)));
    child.kill("SIGKILL");
    const killedAt = performance.now();
    await new Promise((resolve) => child.once("exit", resolve));
    const { rows } = await pool.query<{ n: number }>(`select count(*) as n from deliveries where status = 'in_flight' and outbound_api_id = $1`, [apiId]);
    return { killedAt, held, leased: Number(rows[0].n) };
  }
  const killed = new Map<string, Awaited<ReturnType<typeof killWorkerHolding>>>();
  if (MEASURE_FAILOVER_BEFORE) killed.set(failoverBefore, await killWorkerHolding(failoverBefore, LEASE_BEFORE_RENEWAL_MS));
  killed.set(failoverAfter, await killWorkerHolding(failoverAfter));
  // The CRM is fine again: only the dead workers' leases stand between the messages and it.
  receiver.answerFailover();
  const survivor = await pgWorker(database.url);
  survivor.integration.worker.start();
  const retried = new Map<string, { first: number; all: number }>();
  while (retried.size < killed.size || [...retried.values()].some((times) => times.all === 0)) {
    for (const [apiId, { killedAt }] of killed) {
      const { rows } = await pool.query<{ done: number; pending: number }>(
        `select count(*) filter (where status = 'succeeded') as done, count(*) filter (where status <> 'succeeded') as pending from deliveries where outbound_api_id = $1`,
        [apiId],
      );
      const times = retried.get(apiId) ?? { first: 0, all: 0 };
      if (Number(rows[0].done) > 0 && times.first === 0) times.first = performance.now() - killedAt;
      if (Number(rows[0].pending) === 0 && times.all === 0) times.all = performance.now() - killedAt;
      if (times.first > 0) retried.set(apiId, times);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await survivor.close();
  await main.close();
  await database.drop();
  const after = { ...killed.get(failoverAfter)!, ...retried.get(failoverAfter)! };
  const before = MEASURE_FAILOVER_BEFORE ? { ...killed.get(failoverBefore)!, ...retried.get(failoverBefore)! } : null;

  const durable = median(durableRuns);
  const one = median(oneRuns);
  const two = median(twoRuns);
  report("delivery_postgres", {
    messages_per_run: PG_MESSAGES,
    concurrency_per_endpoint_per_worker: CONCURRENCY,
    durable_deliveries_per_s: Math.round(durable),
    durable_vs_plain: round(durable / sqlite.plain),
    postgres_vs_sqlite_durable: round(durable / sqlite.sqliteDurable),
    receiver_latency_ms: SLOW_REPLY_MS,
    one_worker_per_s: Math.round(one),
    two_workers_per_s: Math.round(two),
    two_vs_one_workers: round(two / one),
    goal_two_vs_one: 1.6,
    wake_samples_per_mode: WAKE_SAMPLES,
    wake_notify_p50_ms: round(median(wakeMs.notify), 1),
    wake_notify_p90_ms: round(percentile(sortedWake(wakeMs.notify), 90), 1),
    wake_poll_only_p50_ms: round(median(wakeMs.poll), 1),
    wake_poll_only_p90_ms: round(percentile(sortedWake(wakeMs.poll), 90), 1),
    wake_poll_only_vs_notify_p50: round(median(wakeMs.poll) / median(wakeMs.notify), 1),
    failover_leases_held_by_each_killed_worker: after.leased,
    failover_before_lease_ms: before ? LEASE_BEFORE_RENEWAL_MS : "not measured (BENCH_FAILOVER_BEFORE=0)",
    failover_before_first_retry_s: before ? round(before.first / 1000) : null,
    failover_before_all_retried_s: before ? round(before.all / 1000) : null,
    failover_lease_ms: DEFAULT_LEASE_MS,
    failover_first_retry_s: round(after.first / 1000),
    failover_all_retried_s: round(after.all / 1000),
    failover_before_vs_now: before ? round(before.all / after.all, 1) : null,
  });
}

/** The worker that is killed: leases the failover backlog, reports once its first requests are out (and hang), and waits. */
async function failoverWorker(url: string, leaseMs: number | undefined): Promise<void> {
  const worker = await pgWorker(url, { leaseMs });
  worker.integration.worker.start();
  const poll = setInterval(() => {
    const held = worker.integration.worker.heldLeases().length;
    if (held === 0) return;
    clearInterval(poll);
    // The claim is committed and the first requests are out (and hang) well before this.
    setTimeout(() => process.send?.(held), 300);
  }, 5);
}

if (process.argv[2] === "receiver") serveReceiver();
else if (process.argv[2] === "failover-worker") void failoverWorker(process.argv[3], process.argv[4] ? Number(process.argv[4]) : undefined);
else void main();
