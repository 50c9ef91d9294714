/**
 * The SIP walkthrough (server/telephony/README.md) against the production
 * build: `next start` with TELEPHONY=sip, SIP_LISTEN on a free loopback UDP
 * port and SIP_TRUNKS=127.0.0.1; a menu flow (1 → extension 101) published
 * on a number through the REST API; 101's SIP password generated in the data
 * folder as the portal's button does (the portal case is in portal.e2e.ts);
 * two Debian baresip softphones — 101 registered with that password, and a
 * caller dialling the number as the trunk — driven through ctrl_tcp. The
 * caller hears the menu, presses 1, 101 answers, talks and hangs up; the
 * call's final CDR, read back over REST, was answered by 101.
 * Runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set: there
 * the edge's trunks and SIP passwords come from in-memory copies reloaded on
 * their change notification (server/runtime/sipEdgeData.ts), so the password
 * is generated after the server started, as an admin would.
 * Skipped with a message without baresip (.ci/run installs it).
 */
import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Baresip, BARESIP_SKIP_MESSAGE, missingBaresipTools } from "@/server/telephony/sip/testing/baresip";
import { missingTools } from "@/server/telephony/sip/testing/sipp";
import { createTestPostgres, testDatabaseUrl } from "../helpers/postgres";
import { basicOf, createTechnicalUser, restClient, type Json } from "./rest";
import { startServer, type RunningServer } from "./server";

const root = path.resolve(__dirname, "../..");
const missing = [...missingBaresipTools(), ...missingTools(["espeak-ng"])];
if (missing.length > 0) console.warn(BARESIP_SKIP_MESSAGE(missing));

const DID = "+3612340013";
const CALLER = "+36301230013";

/** A free loopback UDP port for the SIP edge. */
function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) =>
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}

/** Extension 101's SIP password, generated against the server's database by the same service the portal's button calls. */
function generatePasswordFor101(env: Record<string, string>): string {
  const script = `
    const { eq } = require("drizzle-orm");
    const { openConfiguredDatabase } = require("./server/db/client.ts");
    const { extensions } = require("./server/db/schema/index.ts");
    const { generateSipPassword } = require("./server/services/sipCredentials.ts");
    (async () => {
      const db = await openConfiguredDatabase();
      const [row] = await db.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, "101"));
      process.stdout.write(JSON.stringify(await generateSipPassword(db, row.id)));
      process.exit(0);
    })();`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, env: { ...process.env, LOG_LEVEL: "silent", ...env }, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return (JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as { password: string }).password;
}

/** Each backend's own server, database and RTP range, so the two runs never share a port. */
const backends = [
  { backend: "sqlite", rtpPorts: "43000-43099" },
  ...(testDatabaseUrl ? [{ backend: "postgres", rtpPorts: "43100-43199" }] : []),
] as const;

describe.skipIf(missing.length > 0).each(backends)("the SIP walkthrough on $backend", ({ backend, rtpPorts }) => {
  let server: RunningServer | undefined;
  let dataDir: string;
  let sipPort: number;
  let basic: string;
  let database: Awaited<ReturnType<typeof createTestPostgres>> | undefined;
  let databaseEnv: Record<string, string> = {};
  const phones: Baresip[] = [];
  const phoneDirs: string[] = [];

  async function softphone(accounts: string): Promise<Baresip> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "baresip-e2e-"));
    phoneDirs.push(dir);
    const phone = await Baresip.start({ dir, accounts: [accounts], control: true, talkSeconds: 30 });
    phones.push(phone);
    return phone;
  }

  beforeAll(async () => {
    if (missing.length > 0) return;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-sip-e2e-"));
    if (backend === "postgres") {
      database = await createTestPostgres(testDatabaseUrl!);
      databaseEnv = { DATABASE_URL: database.url };
    }
    sipPort = await freeUdpPort();
    server = await startServer(dataDir, { TELEPHONY: "sip", SIP_LISTEN: `127.0.0.1:${sipPort}`, SIP_TRUNKS: "127.0.0.1", RTP_PORTS: rtpPorts, ...databaseEnv });
    basic = basicOf(createTechnicalUser(dataDir, "SIP walkthrough", databaseEnv));
    const { ok } = restClient(server.baseUrl, () => basic);
    const flow = await ok("/flows", {
      method: "POST",
      body: {
        schema_version: 1,
        name: "SIP walkthrough",
        language: "en",
        nodes: [
          { id: "start", type: "start", config: {}, position: { x: 0, y: 0 } },
          { id: "menu", type: "menu", config: { prompt: "Welcome to Switchboard. For sales, press 1.", options: ["1"], timeout_s: 10, max_retries: 0, invalid_prompt: "Sorry." }, position: { x: 220, y: 0 } },
          { id: "sales", type: "dial_extension", config: { extension: "101", ring_timeout_s: 20 }, position: { x: 440, y: 0 } },
          { id: "bye", type: "hangup", config: {}, position: { x: 660, y: 0 } },
        ],
        edges: [
          { id: "start-next", source: "start", source_port: "next", target: "menu" },
          { id: "menu-1", source: "menu", source_port: "1", target: "sales" },
          ...["answered", "no_answer", "busy", "failed"].map((port) => ({ id: `sales-${port}`, source: "sales", source_port: port, target: "bye" })),
        ],
      },
    });
    await ok(`/flows/${flow.id}/publish`, { method: "POST" });
    await ok(`/numbers/${encodeURIComponent(DID)}`, { method: "PUT", body: { flow_id: flow.id, label: "SIP walkthrough" } });
  });

  afterAll(async () => {
    for (const phone of phones) await phone.stop();
    await server?.stop();
    await database?.drop();
    for (const dir of [...phoneDirs, dataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("TELEPHONY=sip on the production build: baresip registers as 101, a second baresip calls the number, hears the menu, presses 1 and talks to 101; the CDR says so", { timeout: 90_000 }, async () => {
    const edge = `127.0.0.1:${sipPort}`;
    const phone101 = await softphone(`<sip:101@${edge}>;auth_pass=${generatePasswordFor101({ DATA_DIR: dataDir, ...databaseEnv })};regint=600`);
    await expect.poll(() => phone101.output, { timeout: 15_000 }).toMatch(/101@127\.0\.0\.1: \{0\/UDP\/v4\} 200 OK/);

    const caller = await softphone(`<sip:${CALLER}@127.0.0.1>;regint=0`);
    expect(await caller.command("dial", `sip:${DID}@${edge}`)).toMatchObject({ ok: true });
    await caller.event("CALL_ESTABLISHED", 20_000);
    // The menu speaks: the edge's RTP reaches the caller.
    await expect.poll(() => caller.output, { timeout: 10_000 }).toMatch(/incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:\d+/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await caller.command("sndcode", "1")).toMatchObject({ ok: true });

    const ringing = await phone101.event("CALL_INCOMING", 15_000);
    expect(ringing.peeruri).toMatch(/^sip:\+36301230013@/);
    expect(await phone101.command("accept")).toMatchObject({ ok: true });
    await phone101.event("CALL_ESTABLISHED");
    // 101 hears the caller through the edge's bridge.
    await expect.poll(() => phone101.output, { timeout: 10_000 }).toMatch(/incoming rtp for 'audio' established/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await phone101.command("hangup")).toMatchObject({ ok: true });
    await caller.event("CALL_CLOSED", 15_000);

    const { ok } = restClient(server!.baseUrl, () => basic);
    let final: Json;
    await expect
      .poll(async () => {
        const page = await ok("/cdrs");
        final = (page.items as Json[]).find((cdr: Json) => cdr.called_number === DID);
        return final !== undefined;
      }, { timeout: 15_000 })
      .toBe(true);
    expect(final).toMatchObject({ is_final: true, direction: "inbound", caller: { number: CALLER }, called_number: DID, answered_by: { extension: "101" }, disposition: "answered" });
  });
});
