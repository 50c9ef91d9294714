/**
 * The portal's SIP trunks reaching the running SIP edge (TELEPHONY=sip wiring,
 * a TypeScript trunk over loopback UDP): an INVITE from no enabled trunk's
 * address is not a trunk call — it is challenged (401) as a phone's and never
 * offered to call control without a SIP password; once a trunk is saved (no restart) its
 * INVITEs are taken for the DIDs it carries and refused 404 for others; the
 * registration with the provider lands in the table the portal reads.
 */
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import { createTestDb } from "@/tests/helpers/db";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { createSipTrunk, listSipTrunks, updateSipTrunk, type SipTrunkView } from "../services/sipTrunks";
import type { EngineEvent } from "../telephony/engine";
import { responseTo, serializeMessage } from "../telephony/sip/message";
import type { SipEngine } from "../telephony/sip/sipEngine";
import { inviteText, SipTestPeer } from "../telephony/sip/testing/sipTestPeer";
import { LiveTrunks } from "./liveTrunks";
import { openSipEdgeData, type SipEdgeData } from "./sipEdgeData";
import { startSipEngine } from "./sipTelephony";

let db: Db;
let dir: string;
let cleanup: () => Promise<void>;
let engine: SipEngine;
/** What the edge reads: the trunks per use on SQLite, an in-memory copy reloaded on the notification on PostgreSQL. */
let edge: SipEdgeData;
let logger: MemoryLogger;
let trunk: SipTestPeer;
const events: EngineEvent[] = [];

beforeEach(async () => {
  ({ db, dir, cleanup } = await createTestDb());
  logger = new MemoryLogger();
  events.length = 0;
  const config = { dataDir: dir, recordingsDir: path.join(dir, "recordings"), TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:0", RTP_PORTS: "41100-41199", SIP_TRUNKS: "", DEFAULT_REGION: "HU" } as AppConfig;
  edge = await openSipEdgeData(db);
  engine = await startSipEngine(config, db, logger, { registrationPollMs: 50, data: edge });
  engine.subscribe((event) => events.push(event));
  trunk = await SipTestPeer.open();
});
afterEach(async () => {
  await engine.close();
  await edge.close();
  await trunk.close();
  await cleanup();
});

let calls = 0;
/** Sends an INVITE for `did` and resolves with the edge's final (or 180) answer. */
async function invite(did: string): Promise<number> {
  const callId = `trunk-call-${++calls}`;
  trunk.send(inviteText(trunk.local, engine.local, { callId, to: did }), engine.local);
  await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status >= 180 && response.headers.some((h) => h.name === "call-id" && h.value === callId)));
  return trunk.responses("INVITE").filter((response) => response.status >= 180 && response.headers.some((h) => h.name === "call-id" && h.value === callId))[0].status;
}

/** Saves a trunk change and waits until the edge's view has moved past it (at once on SQLite; after the reload on PostgreSQL). */
async function seenByEdge<T>(change: () => Promise<T>): Promise<T> {
  const before = edge.trunks.version();
  const result = await change();
  await vi.waitFor(() => expect(edge.trunks.version()).toBeGreaterThan(before));
  return result;
}

const base = { name: "Provider", addresses: ["127.0.0.1"], dids: ["+3612345000"] };

it("challenges INVITEs from unknown addresses as a phone's (401, no call) and takes a saved trunk's calls for its DIDs on the next INVITE", async () => {
  expect(await invite("3612345000")).toBe(401);
  expect(events.filter((event) => event.type === "leg.incoming")).toEqual([]);

  const saved = await seenByEdge(() => createSipTrunk(db, base));
  expect(await invite("3612345000")).toBe(180);
  // The trunk for calls out, as the outbound-call option will read it per call: live as well.
  const live = new LiveTrunks(edge.trunks, { region: "HU", clock: systemClock, logger });
  expect(live.outbound()).toEqual({ host: "127.0.0.1", port: 5060 });
  expect(events.filter((event) => event.type === "leg.incoming")).toMatchObject([{ to: "3612345000", viaTrunk: true }]);
  expect(await invite("3619999999")).toBe(404);
  expect(logger.entries.some((entry) => JSON.stringify(entry.fields).includes("not carried by trunk Provider"))).toBe(true);

  // Another port than the trunk's, a disabled trunk: not the trunk's INVITE again.
  await seenByEdge(() => updateSipTrunk(db, saved.id, { ...base, addresses: [`127.0.0.1:${trunk.local.port + 1}`] }));
  expect(await invite("3612345000")).toBe(401);
  await seenByEdge(() => updateSipTrunk(db, saved.id, { ...base, addresses: [`127.0.0.1:${trunk.local.port}`], dids: [] }));
  expect(await invite("3619999999")).toBe(180); // no DIDs listed: any DID
  await seenByEdge(() => updateSipTrunk(db, saved.id, { ...base, enabled: false }));
  expect(await invite("3612345000")).toBe(401);
  expect(events.filter((event) => event.type === "leg.incoming")).toHaveLength(2);
  expect(live.outbound()).toBeNull();
});

it("matches a trunk given by host name once the name is looked up", async () => {
  await seenByEdge(() => createSipTrunk(db, { ...base, addresses: ["localhost"] }));
  // The edge's periodic read looks the name up in the background; a retry after that is taken.
  let status = await invite("3612345000");
  for (let attempt = 0; status === 401 && attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await invite("3612345000");
  }
  expect(status).toBe(180);
});

it("registers a trunk with credentials and writes how it went for the portal", async () => {
  const saved = await seenByEdge(() => createSipTrunk(db, { ...base, addresses: [`127.0.0.1:${trunk.local.port}`], username: "acct-9", password: "provider-secret-9" }));
  await trunk.until((peer) => peer.requests("REGISTER").length > 0);
  const register = trunk.requests("REGISTER")[0];
  expect(register.uri).toBe("sip:127.0.0.1");
  trunk.udp.socket.send(serializeMessage(responseTo(register, 403, "Forbidden", { toTag: "p" })), engine.local.port, "127.0.0.1");
  const registration = async () => (await listSipTrunks(db)).find((row: SipTrunkView) => row.id === saved.id)?.registration;
  await until(async () => (await registration())?.state === "failing");
  expect(await registration()).toMatchObject({ state: "failing", reason: "403 Forbidden" });
  expect(JSON.stringify(logger.entries)).not.toContain("provider-secret-9");
});

async function until(condition: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
