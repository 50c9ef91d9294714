/**
 * Call engine benchmark (issue: call engine speed). Run: `npm run bench` or
 * `node --expose-gc --import tsx bench/engine.bench.ts`.
 *  - calls/s through the 10-node reference flow on the full stack (simulated
 *    engine + call control + interpreter, in-memory CRM double), with CDRs kept
 *    in memory (baseline) and written to SQLite (ratio against the baseline),
 *    and with a PostgreSQL database (`BENCH_DATABASE_URL`, else `TEST_DATABASE_URL`): the runtime store's queued
 *    record writer (server/runtime/pgRecordWriter.ts), timed until everything is committed;
 *  - memory per concurrent call with 10,000 calls held in a menu;
 *  - interpreter overhead per step (p50/p99), with a channel that answers at once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { ScriptedCallChannel } from "@/flows/runtime/testing/scriptedCallChannel";
import { createTestRuntime, flowDocument, testCall } from "@/flows/runtime/testing/testRuntime";
import { runFlow } from "@/flows/runtime/interpreter";
import type { FlowDocument } from "@/flows/model/types";
import { Pbx } from "@/server/pbx/pbx";
import { InMemoryDirectory } from "@/server/pbx/directory";
import type { PbxEventListener } from "@/server/pbx/events";
import { SimulatedEngine } from "@/server/telephony/simulated/simulatedEngine";
import { LiveCalls } from "@/server/runtime/liveCalls";
import { runFlowWithLiveState } from "@/server/runtime/flowRunner";
import { CallStore } from "@/server/runtime/callStore";
import { openDatabase } from "@/server/db/client";
import { recordWriterFor } from "@/server/runtime/recordWriter";
import type { PgRecordWriter } from "@/server/runtime/pgRecordWriter";
import { createTestPostgres } from "@/tests/helpers/postgres";
import { medianOf, percentile, report, round } from "./stats";
import { referenceFlow } from "./referenceFlow";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const EXTENSIONS = 3000;
const document = flowDocument(referenceFlow("crm-lookup", "crm-notify"));

function directory(): InMemoryDirectory {
  const dir = new InMemoryDirectory();
  for (let i = 0; i < EXTENSIONS; i++) dir.addExtension({ number: String(1000 + i), userId: null, userName: null, recordCalls: false });
  dir.addExtension({ number: "101", userId: null, userName: null, recordCalls: false });
  dir.addNumber("+3612345678", "bench");
  return dir;
}

/** One simulated PBX running `flow` for every call; `pressOne` makes callers press 1 at the menu. */
function world(flow: FlowDocument, sink: PbxEventListener, pressOne: boolean) {
  const clock = new ManualClock(Date.parse("2026-01-05T09:00:00Z"));
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rec-"));
  const engine = new SimulatedEngine({ clock, recordingsDir, defaultPhoneBehavior: { behavior: "answer", answer_after_s: 1, hangup_after_s: 5 } });
  // The CRM names a different owner for each caller (the number's last digits), so calls spread over many phones.
  const integration = new InMemoryIntegration({
    clock,
    lookups: { "crm-lookup": (request) => ({ status: "found", extension: String(1000 + (Number(request.call.caller.number.slice(-6)) % EXTENSIONS)) }) },
  });
  const live = new LiveCalls(0);
  const pbx: Pbx = new Pbx({
    clock,
    engine,
    simulator: engine,
    directory: directory(),
    sink,
    startFlow: (channel, call, variables) =>
      runFlowWithLiveState(
        {
          clock,
          integration,
          flows: { loadPublished: async () => null },
          logger: silent,
          live,
          onNodeEntered: pressOne ? (callId, nodeId) => nodeId === "menu" && clock.setTimeout(() => pbx.sendDtmf(callId, "1"), 300) : undefined,
        },
        channel,
        call,
        { document: flow, flowId: "bench", revision: null },
        variables,
      ),
  });
  return { clock, pbx, cleanup: () => fs.rmSync(recordingsDir, { recursive: true, force: true }) };
}

interface Sink {
  sink: PbxEventListener;
  ended: () => number;
  /** Resolves when every recorded event is in the database (PostgreSQL commits behind a queue). */
  durable?: () => Promise<void>;
  close?: () => void | Promise<void>;
}

/**
 * Places `calls` calls in waves of `perSecond` simulated seconds apart and runs them to the end (and, on
 * PostgreSQL, until their records are committed); returns wall-clock calls/s.
 */
async function throughput(calls: number, sinkFactory: () => Sink | Promise<Sink>): Promise<number> {
  const { sink, ended, durable, close } = await sinkFactory();
  const { clock, pbx, cleanup } = world(document, sink, true);
  const perSecond = 250;
  const started = performance.now();
  for (let placed = 0; placed < calls; ) {
    for (let i = 0; i < perSecond && placed < calls; i++, placed++) pbx.placeInboundCall({ from: `+3630${String(placed).padStart(7, "0")}`, to: "+3612345678" });
    await clock.advanceAsync(1_000);
    // A turn of the event loop per simulated second, as a real process gets: PostgreSQL's flusher sends its queue.
    await new Promise(setImmediate);
  }
  while (ended() < calls) await clock.advanceAsync(1_000);
  await durable?.();
  const seconds = (performance.now() - started) / 1000;
  pbx.shutdown();
  await close?.();
  cleanup();
  return calls / seconds;
}

function memorySink() {
  let count = 0;
  return { sink: ((event) => event.type === "conversation.ended" && count++) as PbxEventListener, ended: () => count };
}

function sqliteSink() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-db-"));
  const db = openDatabase(path.join(dir, "bench.db"));
  const store = new CallStore(db);
  let count = 0;
  const sink: PbxEventListener = (event) => {
    store.handle(event);
    if (event.type === "conversation.ended") count++;
  };
  return { sink, ended: () => count, close: () => (db.$client.close(), fs.rmSync(dir, { recursive: true, force: true })) };
}

/** PostgreSQL for the engine's records, when a database URL is given: a fresh migrated database per run. */
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

async function postgresSink(): Promise<Sink> {
  const target = await createTestPostgres(postgresUrl!);
  const store = new CallStore(target.db);
  const writer = recordWriterFor(target.db);
  let count = 0;
  const sink: PbxEventListener = (event) => {
    store.handle(event);
    if (event.type === "conversation.ended") count++;
  };
  return { sink, ended: () => count, durable: () => (writer as PgRecordWriter).durable(), close: () => ((writer as PgRecordWriter).stop(), target.drop()) };
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** 10,000 callers waiting in a menu at once: heap per held call. */
async function memoryPerCall(calls: number): Promise<{ heldCalls: number; bytesPerCall: number }> {
  const holding = flowDocument({
    schema_version: 1,
    name: "Hold",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "menu", type: "menu", position: { x: 1, y: 0 }, config: { prompt: "Please choose", options: ["1"], timeout_s: 120, max_retries: 10 } },
    ],
    edges: [{ id: "e1", source: "start", source_port: "next", target: "menu" }],
  });
  const { clock, pbx, cleanup } = world(holding, () => {}, false);
  const before = heapUsed();
  for (let i = 0; i < calls; i++) pbx.placeInboundCall({ from: `+3620${String(i).padStart(7, "0")}`, to: "+3612345678" });
  await clock.advanceAsync(5_000);
  const held = pbx.listActiveCalls().length;
  const after = heapUsed();
  pbx.shutdown();
  cleanup();
  return { heldCalls: held, bytesPerCall: (after - before) / calls };
}

/** Interpreter cost per step, with a channel that completes every operation at once. */
async function stepOverhead(calls: number): Promise<{ p50: number; p99: number }> {
  const perStep: number[] = [];
  for (let i = 0; i < calls; i++) {
    const runtime = createTestRuntime({ integration: { lookups: { "crm-lookup": { status: "found", extension: "1001" } } } });
    const channel = new ScriptedCallChannel({ clock: runtime.clock, digits: ["1"], dial: ["answered"] });
    const started = process.hrtime.bigint();
    const result = await runFlow(runtime.ctx, channel, document, testCall());
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    perStep.push(micros / result.trace.length);
  }
  perStep.sort((a, b) => a - b);
  return { p50: percentile(perStep, 50), p99: percentile(perStep, 99) };
}

async function main() {
  const calls = Number(process.env.BENCH_CALLS ?? 5000);
  const memoryOnly = await medianOf(3, () => throughput(calls, memorySink));
  const withSqlite = await medianOf(3, () => throughput(calls, sqliteSink));
  const withPostgres = postgresUrl ? await medianOf(3, () => throughput(calls, postgresSink)) : undefined;
  const memory = await memoryPerCall(Number(process.env.BENCH_HELD_CALLS ?? 10_000));
  await stepOverhead(500);
  const steps = await stepOverhead(5000);
  report("engine", {
    calls_per_s_in_memory: round(memoryOnly, 0),
    calls_per_s_sqlite: round(withSqlite, 0),
    sqlite_vs_memory_ratio: round(withSqlite / memoryOnly),
    ...(withPostgres === undefined
      ? { calls_per_s_postgres: "skipped: no BENCH_DATABASE_URL or TEST_DATABASE_URL" }
      : {
          calls_per_s_postgres: round(withPostgres, 0),
          postgres_vs_memory_ratio: round(withPostgres / memoryOnly),
          postgres_vs_sqlite_ratio: round(withPostgres / withSqlite),
        }),
    held_calls: memory.heldCalls,
    bytes_per_held_call: round(memory.bytesPerCall, 0),
    mb_for_10k_calls: round((memory.bytesPerCall * 10_000) / 1e6, 1),
    step_overhead_us_p50: round(steps.p50, 1),
    step_overhead_us_p99: round(steps.p99, 1),
    gc_exposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  });
}

void main();
