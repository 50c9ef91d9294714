/**
 * The product on PostgreSQL, black-box (issue #12): `npm start` with
 * DATABASE_URL on a fresh database — migrations and the demo at first start,
 * REST with a technical user made by the CLI against the same database, a
 * simulated call into the demo flow and its final CDR, which reaches a
 * loopback CRM receiver through an end-of-call outbound API — signed, exactly
 * once, also across a restart; then a restart on the same database keeps it all.
 * Skipped without TEST_DATABASE_URL (.ci/run starts a cluster and sets it).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { wavBytes } from "@/server/audio/testAudio";
import { TestReceiver } from "@/server/integration/testing/receiver";
import { createTestPostgres, testDatabaseUrl } from "../helpers/postgres";
import { launchBrowser, screenshot, signInAsAdmin } from "./browser";
import { basicOf, restClient, type Credentials, type Json } from "./rest";
import { startServer, type RunningServer } from "./server";

const root = path.resolve(__dirname, "../..");
const slow = { timeout: 20_000 };

if (!testDatabaseUrl) console.warn("tests/e2e/postgres.e2e.ts skipped: set TEST_DATABASE_URL (eval \"$(scripts/pg-cluster.sh start)\")");

describe.skipIf(!testDatabaseUrl)("the product on PostgreSQL (DATABASE_URL)", () => {
  let database: Awaited<ReturnType<typeof createTestPostgres>>;
  let dataDir: string;
  let server: RunningServer | undefined;
  const crm = new TestReceiver();

  const env = () => ({ DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestPostgres(testDatabaseUrl!);
    await crm.listen();
    // An empty, migrated clone: the server seeds the demo on its own (this connection only drops it afterwards).
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-e2e-"));
    server = await startServer(dataDir, env());
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await crm.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  function technicalUser(name: string): Credentials {
    const cli = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", "technical-user", "create", "--name", name], {
      cwd: root,
      // No DATA_DIR database: the CLI must write to PostgreSQL.
      env: { ...process.env, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-cli-")), LOG_LEVEL: "silent", ...env() },
      encoding: "utf8",
    });
    expect(cli.status, cli.stderr).toBe(0);
    return JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as Credentials;
  }

  /** The CRM's copies of one CDR, each checked against the hook's signing secret. */
  function deliveriesOf(cdrId: string, signingSecret: string): Array<{ webhookId: string; data: Json }> {
    return crm.requests.flatMap((request) => {
      const event = new Webhook(signingSecret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: Json };
      return event.type === "call.ended" && event.data.cdr_id === cdrId ? [{ webhookId: String(request.headers["webhook-id"]), data: event.data }] : [];
    });
  }

  it("boots, seeds the demo, takes a call into the demo flow, stores its final CDR, delivers it to the CRM once and keeps it all across a restart", async () => {
    // SQLite was not touched: everything below lives in PostgreSQL.
    expect(fs.existsSync(path.join(dataDir, "switchboard.db"))).toBe(false);
    const credentials = technicalUser("E2E PostgreSQL");
    const { ok } = restClient(server!.baseUrl, () => basicOf(credentials));

    const users = await ok("/users");
    expect(users.total).toBeGreaterThanOrEqual(5);

    const receiverUrl = crm.url("/cdr");
    const hook = await ok("/outbound-apis", { method: "POST", body: { name: "E2E PostgreSQL hook", kind: "end_of_call", url: receiverUrl, apply_to: "all_calls", auth: { type: "none" } } });
    const signingSecret: string = hook.signing_secret;

    const placed = await ok("/simulator/calls", { method: "POST", body: { from: "+36301112233", to: "+3612345678" } });
    const callId: string = placed.call_id;
    const live = await ok(`/simulator/calls/${callId}`);
    const conversationId: string = live.conversation_id;
    expect(conversationId).toBeTruthy();
    await expect.poll(async () => (await ok(`/simulator/calls/${callId}`)).trace.length, slow).toBeGreaterThanOrEqual(2);
    // Outside the demo's opening hours the flow may already have ended the call.
    const { api } = restClient(server!.baseUrl, () => basicOf(credentials));
    expect([204, 404]).toContain((await api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status);

    let final: Json;
    await expect
      .poll(async () => {
        final = ((await ok("/cdrs")).items as Json[]).find((cdr) => cdr.conversation_id === conversationId && cdr.is_final);
        return final !== undefined;
      }, slow)
      .toBe(true);
    expect(final).toMatchObject({ direction: "inbound", caller: { number: "+36301112233" }, called_number: "+3612345678" });
    const cdrId = String(final.cdr_id);

    // The delivery worker runs on PostgreSQL: the final CDR reaches the CRM, signed (verified above), with its data as stored.
    await expect.poll(() => deliveriesOf(cdrId, signingSecret).length, slow).toBe(1);
    const [delivered] = deliveriesOf(cdrId, signingSecret);
    expect(delivered.data).toMatchObject({ conversation_id: conversationId, is_final: true, disposition: final.disposition });
    const log = await ok(`/outbound-apis/${hook.id}/deliveries?status=succeeded`);
    expect((log.items as Json[]).filter((item) => item.message_id === delivered.webhookId)).toHaveLength(1);

    await server!.stop();
    server = await startServer(dataDir, env());
    const again = restClient(server.baseUrl, () => basicOf(credentials));
    const cdrsAfter = (await again.ok("/cdrs")).items as Json[];
    expect(cdrsAfter.filter((cdr) => cdr.conversation_id === conversationId && cdr.is_final)).toHaveLength(1);
    expect((await again.ok(`/outbound-apis/${hook.id}`)).url).toBe(receiverUrl);
    // The restarted worker finds nothing left to send: still exactly one copy (a worker polls every second).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(deliveriesOf(cdrId, signingSecret)).toHaveLength(1);
  }, 120_000);

  it("creates the first administrator on the first-run page, signs in to the portal and uploads an audio prompt it serves back", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ locale: "en-US" });
      await signInAsAdmin(page, server!.baseUrl);
      await page.goto(`${server!.baseUrl}/extensions`);
      await expect.poll(() => page.getByText("101", { exact: true }).count(), slow).toBeGreaterThan(0);
      await screenshot(page, "postgres-extensions-en");

      // An audio prompt is stored on PostgreSQL and served back from its row (with Range, for the editor's player).
      const uploaded = await page.request.post(`${server!.baseUrl}/api/audio-prompts`, {
        headers: { origin: server!.baseUrl },
        multipart: { file: { name: "Welcome.wav", mimeType: "audio/wav", buffer: Buffer.from(wavBytes({ durationMs: 500 })) } },
      });
      expect(uploaded.status(), await uploaded.text()).toBe(201);
      const { audioPrompt } = (await uploaded.json()) as { audioPrompt: { id: string } };
      const served = await page.request.get(`${server!.baseUrl}/api/audio-prompts/${audioPrompt.id}`, { headers: { range: "bytes=0-3" } });
      expect(served.status()).toBe(206);
      expect((await served.body()).toString("latin1")).toBe("RIFF");
    } finally {
      await browser.close();
    }
  }, 120_000);
});
