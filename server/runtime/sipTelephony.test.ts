/**
 * TELEPHONY=sip wiring: the runtime's engine is the SIP edge with the
 * simulated world beside it. Phones register with the password stored for
 * their extension; the simulator API keeps placing test calls through the same
 * flows (ringing simulated phones, never the registered real one) while a
 * trunk's real call runs at the same time.
 */
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { cdrs, extensions } from "../db/schema";
import type { Cdr } from "../pbx/cdr";
import { seedDemo } from "../services/demo";
import { generateSipPassword } from "../services/sipCredentials";
import type { SipEngine } from "../telephony/sip/sipEngine";
import { inviteText, SipTestPeer } from "../telephony/sip/testing/sipTestPeer";
import { TestPhone } from "../telephony/sip/testing/testPhone";
import { Runtime } from "./runtime";
import { openSipEdgeData, type SipEdgeData } from "./sipEdgeData";
import { outboundTrunkFromEnv, startSipEngine } from "./sipTelephony";

let db: Db;
let dir: string;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
let durable: TestDb["durable"];
let engine: SipEngine;
/** What the edge reads synchronously (on PostgreSQL an in-memory copy reloaded on the notification). */
let edge: SipEdgeData;
beforeEach(async () => {
  ({ db, dir, runtimeStore, durable, cleanup } = await createTestDb());
  const config = { dataDir: dir, recordingsDir: path.join(dir, "recordings"), TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:0", RTP_PORTS: "41000-41099", SIP_TRUNKS: "127.0.0.2", DEFAULT_REGION: "HU" } as AppConfig;
  edge = await openSipEdgeData(db);
  engine = await startSipEngine(config, db, new MemoryLogger(), { data: edge });
});
afterEach(async () => {
  await engine.close();
  await edge.close();
  await cleanup();
});

it("phones register with their extension's stored SIP password; simulated test calls run beside a trunk's real call", async () => {
  await seedDemo(db);
  // A Tuesday at 10:00 in Budapest: the demo reception flow is open.
  const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
  const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: new MemoryLogger(), engine, clock });
  const [extension] = await db.select().from(extensions).where(eq(extensions.number, "101")).limit(1);
  const { password } = await generateSipPassword(db, extension.id);
  await vi.waitFor(() => expect(edge.sipPassword("101")).toBe(password));
  const phone = await TestPhone.open("101", engine.local);
  const trunk = await SipTestPeer.open("127.0.0.2");
  try {
    expect(await phone.register("not-the-password")).toBe(401);
    expect(await phone.register(password)).toBe(200);
    expect(engine.registration("101")).not.toBeNull();

    // The simulator: the demo DID's menu, key 1 rings sales — the simulated 101, which answers.
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined());
    await clock.advanceAsync(2_000);
    expect(runtime.live.get(callId)?.currentNodeId).toBe("menu");
    runtime.pbx.sendDtmf(callId, "1");
    await clock.advanceAsync(500);
    expect(runtime.live.get(callId)?.currentNodeId).toBe("sales");

    // Meanwhile a real call arrives from the trunk and enters the same flow.
    trunk.send(inviteText(trunk.local, engine.local, { callId: "real-call-1", to: "3612345678" }), engine.local);
    await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 180));
    expect(runtime.pbx.listActiveCalls().map((call) => call.caller.number).sort()).toEqual(["+3611112222", "+36301112233"]);

    runtime.pbx.answerPhone("101");
    await clock.advanceAsync(10_000);
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    await durable();
    const simulatedCdr = (await db.select().from(cdrs).where(eq(cdrs.isFinal, true))).map((row) => row.document as Cdr).find((cdr) => cdr.call_id === callId);
    expect(simulatedCdr).toMatchObject({ disposition: "answered", answered_by: { extension: "101" } });
    // The real phone registered as 101 was never rung by the simulated call.
    expect(phone.sip.requests("INVITE")).toHaveLength(0);
  } finally {
    runtime.shutdown();
    await phone.close();
    await trunk.close();
  }
});

it("the outbound trunk comes from the first SIP_TRUNKS address with SIP_TRUNK_PORT and the account; without SIP_TRUNKS there is none", () => {
  const config = { SIP_TRUNKS: "198.51.100.7, 198.51.100.8", SIP_TRUNK_PORT: 5080, SIP_TRUNK_USERNAME: "account1", SIP_TRUNK_PASSWORD: "secret" } as AppConfig;
  expect(outboundTrunkFromEnv(config)()).toEqual({ host: "198.51.100.7", port: 5080, username: "account1", password: "secret" });
  expect(outboundTrunkFromEnv({ ...config, SIP_TRUNKS: "" })()).toBeNull();
});
