/**
 * The same call on both engines must look the same to the CRM (issue #13).
 * One database, one published menu flow (digit 1 → extension 101), one set
 * of outbound APIs (end-of-call, ringing notification, call.answered hook)
 * delivering signed webhooks to a loopback receiver:
 *  - simulated: the simulator places the call, presses 1, 101 answers and hangs up;
 *  - real: sipp is the trunk (load-caller.xml: INVITE, RFC 4733 "1" from
 *    dtmf_2833_1.pcap, the caller's voice) into TELEPHONY=sip's edge (the
 *    runtime's own start-up path, SIP_TRUNKS), and Debian's baresip,
 *    registered as 101 with the password stored for it, answers and hangs
 *    up when told to through its ctrl_tcp module.
 * The final CDRs agree on everything but ids and times, and the webhooks
 * carry the same event types in the same order, each signed.
 * Skipped with a message without baresip or sipp (.ci/run installs them).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { eq, like, sql } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { systemClock } from "@/flows/runtime/clock";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { AppConfig } from "../config";
import { isPostgres, type Db } from "../db/client";
import { extensions, integrationMessages } from "../db/schema";
import { attachToRuntime, createIntegration, type Integration } from "../integration";
import { silentLogger, setTestAppSecret } from "../integration/testing/harness";
import { TestReceiver } from "../integration/testing/receiver";
import { parseNetworkPolicy } from "../integration/networkPolicy";
import type { Cdr } from "../pbx/cdr";
import { createExtension } from "../services/extensions";
import { createFlow, publishFlow } from "../services/flows";
import { createOutboundApi } from "../services/outboundApis";
import { createPhoneNumber } from "../services/phoneNumbers";
import { generateSipPassword } from "../services/sipCredentials";
import type { SipEngine } from "../telephony/sip/sipEngine";
import { Baresip, BARESIP_SKIP_MESSAGE, missingBaresipTools } from "../telephony/sip/testing/baresip";
import { missingSippTools, runSipp, SIPP_SKIP_MESSAGE } from "../telephony/sip/testing/sipp";
import { LOAD_CALLER_SCENARIO } from "../telephony/sip/testing/sipLoad";
import { Runtime } from "./runtime";
import { openSipEdgeData } from "./sipEdgeData";
import { startSipEngine } from "./sipTelephony";

const missing = [...new Set([...missingBaresipTools(), ...missingSippTools()])];
if (missing.length > 0) console.warn(missingSippTools().length > 0 ? SIPP_SKIP_MESSAGE(missing) : BARESIP_SKIP_MESSAGE(missing));

const DID = "+3612345000";
const CALLER = "+36301234567";

let db: Db;
let dir: string;
let cleanupDb: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
let durable: TestDb["durable"];
let receiver: TestReceiver;
let integration: Integration;
let secrets: Map<string, string>;
const stops: (() => unknown)[] = [];

beforeEach(async () => {
  setTestAppSecret();
  ({ db, dir, runtimeStore, durable, cleanup: cleanupDb } = await createTestDb());
  receiver = new TestReceiver();
  await receiver.listen();
  integration = createIntegration({ db, clock: systemClock, logger: silentLogger, policy: parseNetworkPolicy("allow-lan") });
  await integration.catalog.load();
  integration.worker.start();
  secrets = new Map();
  const apis: OutboundApiInput[] = [
    { kind: "end_of_call", name: "CDRs", url: receiver.url("/end-of-call"), apply_to: "all_calls" },
    { kind: "incoming_notification", name: "Ringing", url: receiver.url("/ringing"), apply_to: "all_calls", trigger: "ringing" },
    { kind: "event_hook", name: "Answered", url: receiver.url("/answered"), apply_to: "all_calls", events: ["call.answered"] },
  ];
  for (const api of apis) secrets.set(new URL(api.url).pathname, (await createOutboundApi(db, api, systemClock)).signingSecret);
  // On PostgreSQL the catalogue learns of them from the notification (at once on SQLite).
  await vi.waitFor(() => expect(integration.catalog.all()).toHaveLength(apis.length));

  await createExtension(db, { number: "101", name: "Sales", ownerUserId: null, enabled: true });
  const flow = await createFlow(db, menuFlow(), null);
  await publishFlow(db, flow.id, null);
  await createPhoneNumber(db, { number: DID, label: "Main line", flowId: flow.id });
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await integration.stop();
  await receiver.close();
  await cleanupDb();
});

function menuFlow() {
  return {
    schema_version: 1,
    name: "Menu: 1 for sales",
    language: "en",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "menu", type: "menu", position: { x: 200, y: 0 }, config: { prompt: "Welcome to Switchboard. For sales, press 1.", options: ["1"], timeout_s: 5, max_retries: 0, invalid_prompt: "Sorry." } },
      { id: "sales", type: "dial_extension", position: { x: 400, y: 0 }, config: { extension: "101", ring_timeout_s: 20 } },
      { id: "bye", type: "hangup", position: { x: 600, y: 0 }, config: {} },
    ],
    edges: [
      { id: "e1", source: "start", source_port: "next", target: "menu" },
      { id: "e2", source: "menu", source_port: "1", target: "sales" },
      { id: "e3", source: "sales", source_port: "answered", target: "bye" },
    ],
  };
}

/** The simulated engine: the simulator's caller presses 1, 101's simulated phone answers and hangs up. */
async function simulatedCall(): Promise<string> {
  const clock = new ManualClock(Date.now());
  const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: silentLogger, clock });
  attachToRuntime(integration, runtime);
  const { callId } = runtime.pbx.placeInboundCall({ from: CALLER, to: DID });
  // The published flow is read from the database (real I/O on PostgreSQL, which the manual clock does not wait for).
  await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined());
  await clock.advanceAsync(1_000);
  runtime.pbx.sendDtmf(callId, "1");
  await clock.advanceAsync(500);
  runtime.pbx.answerPhone("101");
  await clock.advanceAsync(2_000);
  runtime.pbx.hangupPhone("101");
  await clock.advanceAsync(1_000);
  await flushPromises();
  runtime.shutdown();
  return callId;
}

/** The SIP edge: sipp is the trunk, baresip (ctrl_tcp) is 101's phone. */
async function sipCall(): Promise<string> {
  const config = { dataDir: dir, recordingsDir: path.join(dir, "recordings"), TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:0", RTP_PORTS: "42000-42099", SIP_TRUNKS: "127.0.0.1" } as AppConfig;
  // What the edge reads synchronously (on PostgreSQL an in-memory copy, reloaded on change notifications).
  const edgeData = await openSipEdgeData(db);
  stops.push(() => edgeData.close());
  const engine: SipEngine = await startSipEngine(config, db, silentLogger, { data: edgeData });
  stops.push(() => engine.close());
  const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: config.recordingsDir, logger: silentLogger, engine });
  stops.push(() => runtime.shutdown());
  attachToRuntime(integration, runtime);
  const ended: string[] = [];
  runtime.pbx.subscribe((event) => event.type === "conversation.ended" && ended.push(event.cdr.call_id));

  const [{ id: extensionId }] = await db.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, "101")).limit(1);
  const { password } = await generateSipPassword(db, extensionId);
  await vi.waitFor(() => expect(edgeData.sipPassword("101")).toBe(password));
  const phoneDir = fs.mkdtempSync(path.join(os.tmpdir(), "baresip-101-"));
  stops.push(() => fs.rmSync(phoneDir, { recursive: true, force: true }));
  const phone = await Baresip.start({ dir: phoneDir, accounts: [`<sip:101@127.0.0.1:${engine.local.port}>;auth_pass=${password};regint=600;audio_codecs=PCMA`], control: true, talkSeconds: 30 });
  stops.push(() => phone.stop());
  await expect.poll(() => engine.registration("101"), { timeout: 10_000 }).not.toBeNull();

  fs.writeFileSync(path.join(phoneDir, "caller.csv"), `SEQUENTIAL\n${CALLER};\n`);
  const trunk = runSipp({ edgePort: engine.local.port, service: DID, scenario: LOAD_CALLER_SCENARIO, keys: {}, cwd: phoneDir, extraArgs: ["-inf", path.join(phoneDir, "caller.csv")] });
  const incoming = await phone.event("CALL_INCOMING");
  expect(incoming.peeruri).toMatch(new RegExp(`^sip:\\${CALLER}@`));
  expect(await phone.command("accept")).toMatchObject({ ok: true });
  await phone.event("CALL_ESTABLISHED");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await phone.command("hangup")).toMatchObject({ ok: true });
  await phone.event("CALL_CLOSED");
  const sipp = await trunk;
  expect(sipp.code, sipp.stderr).toBe(0);
  await expect.poll(() => ended).toHaveLength(1);
  return ended[0];
}

interface ReceivedHook {
  path: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every webhook the receiver got, each verified against its API's signing secret. */
function verifiedWebhooks(): ReceivedHook[] {
  return receiver.requests.map((request) => {
    const path = new URL(request.url, "http://receiver").pathname;
    const payload = new Webhook(secrets.get(path)!).verify(request.body, request.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    return { path, type: payload.type, data: payload.data };
  });
}

/**
 * The messages the outbox created for a call, in the order it created them (deliveries may overtake each other): the
 * table is append-only here, so its physical order is the insert order (SQLite's rowid, PostgreSQL's ctid).
 */
async function messageOrder(callId: string): Promise<string[]> {
  await durable();
  const rows = await db
    .select({ type: integrationMessages.eventType })
    .from(integrationMessages)
    .where(like(integrationMessages.payload, `%${callId}%`))
    .orderBy(isPostgres(db) ? sql`ctid` : sql`rowid`);
  return rows.map((row) => row.type);
}

/** What must be equal whichever engine carried the call: everything but ids and times. */
function comparable(cdr: Cdr) {
  return {
    direction: cdr.direction,
    caller: cdr.caller,
    called_number: cdr.called_number,
    flow_id: cdr.flow_id,
    is_final: cdr.is_final,
    requested: cdr.requested,
    answered_by: cdr.answered_by,
    disposition: cdr.disposition,
    hangup_cause: cdr.hangup_cause,
    leg_end_reason: cdr.leg_end_reason,
    answered: cdr.answered_at !== null,
    legs: (cdr.legs ?? []).map((leg) => ({ requested: leg.requested, answered_by: leg.answered_by, disposition: leg.disposition, leg_end_reason: leg.leg_end_reason })),
  };
}

it.skipIf(missing.length > 0)(
  "a menu call answered by baresip as 101 over SIP gives the same final CDR and the same signed webhooks as on the simulated engine",
  { timeout: 60_000 },
  async () => {
    const simulated = await simulatedCall();
    const real = await sipCall();
    const expectedDeliveries = 2 * 3; // per call: ringing notification, call.answered, final CDR
    await receiver.waitFor(expectedDeliveries, 20_000);
    const hooks = verifiedWebhooks();
    const of = (callId: string) => hooks.filter((hook) => hook.data.call_id === callId);
    expect(of(simulated).map((hook) => hook.type).sort()).toEqual(of(real).map((hook) => hook.type).sort());
    expect(of(real)).toHaveLength(3);
    expect(await messageOrder(real)).toEqual(await messageOrder(simulated));

    const finalCdr = (callId: string) => of(callId).find((hook) => hook.path === "/end-of-call")!.data as unknown as Cdr;
    expect(comparable(finalCdr(real))).toEqual(comparable(finalCdr(simulated)));
    expect(comparable(finalCdr(real))).toMatchObject({ direction: "inbound", caller: { number: CALLER }, called_number: DID, answered_by: { extension: "101" }, disposition: "answered", answered: true });
  },
);
