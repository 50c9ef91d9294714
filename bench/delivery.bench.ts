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
 * Run: `npx tsx bench/delivery.bench.ts` (not part of `npm test`). The
 * receiver runs in a child process so it does not share the engine's event
 * loop. Warm-up, then medians of 3 runs; prints one JSON line.
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

// ── child: the CRM ─────────────────────────────────────────────────────────

function serveReceiver(): void {
  const reply = JSON.stringify({ extension: "102", contact: { id: "C-1", name: "Varga László" } });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(reply));
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
}

// ── parent ─────────────────────────────────────────────────────────────────

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = fork(new URL(import.meta.url).pathname, ["receiver"], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const port = await new Promise<number>((resolve) => child.once("message", (message) => resolve(message as number)));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
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
    integration.worker.stop();
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

  integration.stop();
  await plainAgent.close();
  receiver.stop();
  db.$client.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv[2] === "receiver") serveReceiver();
else void main();
