/**
 * The README's SIP walkthrough (server/telephony/README.md, "Try it: two
 * softphones"), with two Debian baresip instances on loopback: the demo
 * organisation (seedDemo), TELEPHONY=sip's start-up path with the caller's
 * address in SIP_TRUNKS, baresip A registered as extension 101 with the
 * password the portal generates, baresip B calling the demo number
 * +3612345678 as the trunk would. B hears the menu, presses 1 (RFC 4733,
 * `sndcode` over ctrl_tcp), 101 rings (the sales ring group), answers,
 * both hear each other, 101 hangs up: one final CDR answered by 101.
 * The demo flow is open on weekdays 08–17 in Budapest, so the runtime's
 * clock is the real one moved to a Tuesday 10:00.
 * Skipped with a message without baresip (.ci/run installs it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { extensions } from "../db/schema";
import { setTestAppSecret, silentLogger } from "../integration/testing/harness";
import type { Cdr } from "../pbx/cdr";
import { seedDemo } from "../services/demo";
import { generateSipPassword } from "../services/sipCredentials";
import { Baresip, BARESIP_SKIP_MESSAGE, missingBaresipTools } from "../telephony/sip/testing/baresip";
import { missingTools } from "../telephony/sip/testing/sipp";
import { Runtime } from "./runtime";
import { openSipEdgeData } from "./sipEdgeData";
import { startSipEngine } from "./sipTelephony";

const missing = [...missingBaresipTools(), ...missingTools(["espeak-ng"])];
if (missing.length > 0) console.warn(BARESIP_SKIP_MESSAGE(missing));

const DEMO_NUMBER = "+3612345678";
const CALLER = "+36301234567";

/** The real clock moved to the next Tuesday 09:00 UTC (10:00 or 11:00 in Budapest): the demo reception is open. */
function tuesdayMorningClock(): Clock {
  const target = new Date();
  target.setUTCHours(9, 0, 0, 0);
  target.setUTCDate(target.getUTCDate() + ((2 - target.getUTCDay() + 7) % 7 || 7));
  const shift = target.getTime() - Date.now();
  return { ...systemClock, now: () => Date.now() + shift };
}

let db: Db;
let dir: string;
let cleanupDb: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
const stops: (() => unknown)[] = [];

beforeEach(async () => {
  setTestAppSecret();
  ({ db, dir, runtimeStore, cleanup: cleanupDb } = await createTestDb());
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await cleanupDb();
});

async function softphone(accounts: string): Promise<Baresip> {
  const phoneDir = fs.mkdtempSync(path.join(os.tmpdir(), "baresip-walkthrough-"));
  stops.push(() => fs.rmSync(phoneDir, { recursive: true, force: true }));
  const phone = await Baresip.start({ dir: phoneDir, accounts: [accounts], control: true, talkSeconds: 30 });
  stops.push(() => phone.stop());
  return phone;
}

it.skipIf(missing.length > 0)("two baresip softphones: the caller dials the demo number, hears the menu, presses 1 and talks to 101", { timeout: 60_000 }, async () => {
  await seedDemo(db, "en");
  const config = { dataDir: dir, recordingsDir: path.join(dir, "recordings"), TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:0", RTP_PORTS: "42100-42199", SIP_TRUNKS: "127.0.0.1" } as AppConfig;
  // What the edge reads synchronously (on PostgreSQL an in-memory copy, reloaded on change notifications).
  const edgeData = await openSipEdgeData(db);
  stops.push(() => edgeData.close());
  const engine = await startSipEngine(config, db, silentLogger, { data: edgeData });
  stops.push(() => engine.close());
  const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: config.recordingsDir, logger: silentLogger, engine, clock: tuesdayMorningClock() });
  stops.push(() => runtime.shutdown());
  const finals: Cdr[] = [];
  runtime.pbx.subscribe((event) => event.type === "conversation.ended" && finals.push(event.cdr));
  const edge = `127.0.0.1:${engine.local.port}`;

  // Extension 101: the password the portal's "Generate SIP password" shows.
  const [{ id: extensionId }] = await db.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, "101")).limit(1);
  const { password } = await generateSipPassword(db, extensionId);
  await vi.waitFor(() => expect(edgeData.sipPassword("101")).toBe(password));
  const phone101 = await softphone(`<sip:101@${edge}>;auth_pass=${password};regint=600`);
  await expect.poll(() => engine.registration("101"), { timeout: 10_000 }).not.toBeNull();

  // The caller, as the trunk: no registration, straight to the demo number.
  const caller = await softphone(`<sip:${CALLER}@127.0.0.1>;regint=0`);
  expect(await caller.command("dial", `sip:${DEMO_NUMBER}@${edge}`)).toMatchObject({ ok: true });
  await caller.event("CALL_ESTABLISHED");
  // The menu answers and speaks (the edge's RTP reaches the caller)…
  await expect.poll(() => caller.output, { timeout: 10_000 }).toMatch(/incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:\d+/);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  // …the caller presses 1 (sales: the ring group with 101), and 101 rings.
  expect(await caller.command("sndcode", "1")).toMatchObject({ ok: true });
  const ringing = await phone101.event("CALL_INCOMING");
  expect(ringing.peeruri).toMatch(/^sip:\+36301234567@/);
  expect(await phone101.command("accept")).toMatchObject({ ok: true });
  await phone101.event("CALL_ESTABLISHED");
  // 101 hears the caller (relayed by the edge's bridge) and talks back for a moment, then hangs up.
  await expect.poll(() => phone101.output, { timeout: 10_000 }).toMatch(/incoming rtp for 'audio' established/);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await phone101.command("hangup")).toMatchObject({ ok: true });
  // The flow ends after the ring group was answered: the caller is hung up too.
  await caller.event("CALL_CLOSED");
  await expect.poll(() => finals).toHaveLength(1);
  expect(finals[0]).toMatchObject({ direction: "inbound", caller: { number: CALLER }, called_number: DEMO_NUMBER, answered_by: { extension: "101" }, disposition: "answered" });
});
