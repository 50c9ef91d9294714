import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { and, count as countOf, eq, inArray, like, ne, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { onPostgres } from "@/tests/helpers/db";
import { cdrs, deliveries, integrationMessages, openCalls } from "../db/schema";
import { seedDemo } from "../services/demo";
import { createHarness, type Harness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";

/**
 * Kill -9 at the worst moments, with real processes, the real database
 * (a SQLite file, or the PostgreSQL database the child connects to) and
 * real HTTP: nothing may be lost, and what is resent keeps its webhook-id.
 */
const CHILD = path.join(__dirname, "testing", "crashChild.ts");

let h: Harness;
let receiver: TestReceiver;
let children: ChildProcess[] = [];
let recordingsDir: string;

beforeEach(async () => {
  h = await createHarness();
  await seedDemo(h.db);
  recordingsDir = path.join(h.dir, "recordings");
  fs.mkdirSync(recordingsDir, { recursive: true });
  receiver = new TestReceiver();
  await receiver.listen();
});
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  children = [];
  await receiver.close();
  await h.cleanup();
});

/** Starts the child and resolves with it once it printed `until` (or exited). */
function runChild(args: string[], until: string): Promise<{ child: ChildProcess; output: () => string; exited: Promise<NodeJS.Signals | number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { env: { ...process.env, LOG_LEVEL: "silent" }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not print "${until}": ${output}`)), 30_000);
    const done = () => {
      clearTimeout(timer);
      resolve({ child, output: () => output, exited });
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(until)) done();
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(done);
  });
}

async function count(table: SQLiteTable, where: SQL | undefined): Promise<number> {
  const [row] = await h.db.select({ n: countOf() }).from(table).where(where);
  return row.n;
}

const finalCdrs = (callId: string | undefined) => count(cdrs, and(eq(cdrs.callId, callId!), eq(cdrs.isFinal, true)));

const deliveriesIn = (...statuses: Array<typeof deliveries.$inferSelect.status>) => count(deliveries, inArray(deliveries.status, statuses));

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * How the restarted worker finds the killed one's lease: SQLite is one process, so the next start releases
 * whatever the last one left in flight; on PostgreSQL another worker may still be alive, so a lease is taken
 * over only once it ran out — that restart comes an hour later (its clock runs ahead).
 */
const restartAfterLeases = onPostgres ? [String(60 * 60_000)] : [];

describe("crash safety (child processes killed with SIGKILL)", () => {
  it("killed after sending but before saving the result: resent with the same webhook-id after restart, nothing left in flight", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls" });
    const { sampleEvent } = await import("./samples");
    h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(id)!]);
    await h.durable();
    receiver.respond = (_r, index) => (index === 0 ? "hang" : { status: 200 });

    const first = await runChild(["worker", h.location, recordingsDir], "ready");
    await receiver.waitFor(1, 20_000);
    expect(await deliveriesIn("in_flight")).toBe(1);
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    await runChild(["worker", h.location, recordingsDir, ...restartAfterLeases], "ready");
    await receiver.waitFor(2, 20_000);
    await waitUntil(async () => (await deliveriesIn("succeeded")) === 1);
    expect(receiver.requests[1].headers["webhook-id"]).toBe(receiver.requests[0].headers["webhook-id"]);
    expect(await deliveriesIn("in_flight", "pending")).toBe(0);
  }, 60_000);

  it("killed right after the call's commit: the CDR and its message exist, and are delivered after restart", async () => {
    await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls" });
    const crashed = await runChild(["call", h.location, recordingsDir, "after-commit"], "survived");
    expect(await crashed.exited).toBe("SIGKILL");
    expect(crashed.output()).not.toContain("survived");
    const callId = /call (\S+)/.exec(crashed.output())?.[1];
    expect(await finalCdrs(callId)).toBe(1);
    const finalMessagesPending = await h.db
      .select({ n: countOf() })
      .from(deliveries)
      .innerJoin(integrationMessages, eq(integrationMessages.id, deliveries.messageId))
      .where(and(like(integrationMessages.payload, `%"is_final":true%`), eq(deliveries.status, "pending")));
    expect(finalMessagesPending).toEqual([{ n: 1 }]);

    await runChild(["worker", h.location, recordingsDir], "ready");
    await waitUntil(() => receiver.requests.some((r) => r.body.includes(`"call_id":"${callId}"`) && r.body.includes(`"is_final":true`)));
    await waitUntil(async () => (await count(deliveries, ne(deliveries.status, "succeeded"))) === 0);
  }, 60_000);

  it("killed inside the final CDR's transaction: neither CDR nor message; the restart closes the call and delivers that CDR", async () => {
    await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls", send_partials: false });
    const crashed = await runChild(["call", h.location, recordingsDir, "in-transaction"], "survived");
    expect(await crashed.exited).toBe("SIGKILL");
    const callId = /call (\S+)/.exec(crashed.output())?.[1];
    expect(await finalCdrs(callId)).toBe(0);
    expect(await count(integrationMessages, eq(integrationMessages.eventType, "call.ended"))).toBe(0);
    expect(await count(openCalls, eq(openCalls.callId, callId!))).toBe(1);

    await runChild(["worker", h.location, recordingsDir], "ready");
    await waitUntil(() => receiver.requests.length === 1);
    expect(JSON.parse(receiver.requests[0].body).data).toMatchObject({ call_id: callId, is_final: true, hangup_cause: "system_restart" });
  }, 60_000);
});
