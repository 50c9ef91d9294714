/**
 * Moving an installation from SQLite to PostgreSQL, black-box (issue #12): `npm start` on SQLite takes a recorded
 * call and an outbound API with an encrypted credential; after `npm run cli -- db copy --to … --recordings-to DIR`
 * the production server on PostgreSQL, started with the settings the command printed, serves the same users and the
 * same CDR and decrypts the credential, the technical user's secret still works, and the recording is in the new
 * data folder. Skipped without TEST_DATABASE_URL.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestPostgres, testDatabaseUrl } from "../helpers/postgres";
import { basicOf, createTechnicalUser, restClient, type Json } from "./rest";
import { startServer, type RunningServer } from "./server";

const root = path.resolve(__dirname, "../..");
const slow = { timeout: 20_000 };
const DID = "+3612340021";

if (!testDatabaseUrl) console.warn("tests/e2e/dbCopy.e2e.ts skipped: set TEST_DATABASE_URL (eval \"$(scripts/pg-cluster.sh start)\")");

describe.skipIf(!testDatabaseUrl)("db copy: a SQLite installation moved to PostgreSQL", () => {
  const folders: string[] = [];
  const servers: RunningServer[] = [];
  let database: Awaited<ReturnType<typeof createTestPostgres>> | undefined;

  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
    await database?.drop();
  });

  it("serves the same users, CDR, recording and encrypted credential from PostgreSQL after the copy", async () => {
    const sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-copy-from-"));
    const newDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-copy-to-"));
    folders.push(sqliteDir, newDataDir);
    database = await createTestPostgres(testDatabaseUrl!);

    // Before: the product on SQLite, with a recorded call and a CRM credential sealed with its app secret.
    const before = await startServer(sqliteDir);
    servers.push(before);
    const credentials = createTechnicalUser(sqliteDir, "E2E copy");
    const old = restClient(before.baseUrl, () => basicOf(credentials));
    const hook = await old.ok("/outbound-apis", { method: "POST", body: { name: "CRM", kind: "end_of_call", url: "http://127.0.0.1:9/hook", auth: { type: "bearer", token: "crm-token-secret" } } });
    expect(hook.auth.secret_hint).toBeTruthy();
    // A call answered by extension 102 is recorded: a flow that dials it, on a number of its own.
    await old.ok("/simulator/phones/102", { method: "PUT", body: { behavior: "answer", answer_after_s: 0 } });
    const nodes = [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "desk", type: "dial_extension", position: { x: 200, y: 0 }, config: { extension: "102", ring_timeout_s: 20 } },
      { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
    ];
    const edges = [
      { id: "e1", source: "start", source_port: "next", target: "desk" },
      ...["answered", "no_answer", "busy", "failed"].map((port) => ({ id: `d-${port}`, source: "desk", source_port: port, target: "bye" })),
    ];
    const flow = await old.ok("/flows", { method: "POST", body: { schema_version: 1, name: "Desk", nodes, edges } });
    await old.ok(`/flows/${flow.id}/publish`, { method: "POST" });
    await old.ok(`/numbers/${encodeURIComponent(DID)}`, { method: "PUT", body: { flow_id: flow.id, label: "Desk" } });
    const placed = await old.ok("/simulator/calls", { method: "POST", body: { from: "+36301112233", to: DID } });
    await expect.poll(async () => (await old.ok(`/calls/${placed.call_id}`)).status, slow).toBe("answered");
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // a recording of a second or so
    expect([204, 404, 409]).toContain((await old.api(`/simulator/calls/${placed.call_id}/hangup`, { method: "POST" })).status);
    let final: Json;
    await expect
      .poll(async () => {
        final = ((await old.ok("/cdrs")).items as Json[]).find((cdr) => cdr.call_id === placed.call_id && cdr.is_final);
        return final?.recordings.length ?? 0;
      }, slow)
      .toBeGreaterThan(0);
    const recordingUrl = new URL(final.recordings[0].url, before.baseUrl);
    const recordingBefore = Buffer.from(await (await fetch(recordingUrl)).arrayBuffer());
    expect(recordingBefore.length).toBeGreaterThan(44);
    const usersBefore = await old.ok("/users");
    await before.stop();

    // The copy, with the recordings moved to the new data folder.
    const copy = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", "db", "copy", "--to", database.url, "--recordings-to", newDataDir], {
      cwd: root,
      env: { ...process.env, DATA_DIR: sqliteDir, LOG_LEVEL: "silent", DATABASE_URL: undefined },
      encoding: "utf8",
    });
    expect(copy.stderr).toContain("Copy verified.");
    expect(copy.status).toBe(0);
    expect(copy.stderr).toContain(`DATA_DIR=${newDataDir}`);
    // As the command says: the same app secret — this installation generated one into its data folder.
    const secret = process.env.SWITCHBOARD_SECRET ?? fs.readFileSync(path.join(sqliteDir, "app-secret"), "utf8").trim();

    // After: the production server on PostgreSQL with the new data folder.
    const after = await startServer(newDataDir, { DATABASE_URL: database.url, SWITCHBOARD_SECRET: secret });
    servers.push(after);
    expect(fs.existsSync(path.join(newDataDir, "switchboard.db"))).toBe(false);
    const moved = restClient(after.baseUrl, () => basicOf(credentials));
    expect(await moved.ok("/users")).toEqual(usersBefore);
    const cdrs = (await moved.ok("/cdrs")).items as Json[];
    expect(cdrs.find((cdr) => cdr.call_id === placed.call_id && cdr.is_final)).toEqual(final);
    // The recording is in the new data folder, byte for byte what SQLite's installation served. (Serving it on
    // PostgreSQL waits for the recording-code look-up, server/integration/recordingFiles.ts: server/db/README.md.)
    const code = final.recordings[0].code as string;
    expect(fs.readFileSync(path.join(newDataDir, "recordings", `${code}.wav`))).toEqual(recordingBefore);
    expect((await moved.ok(`/outbound-apis/${hook.id}`)).auth).toEqual(hook.auth);
  }, 240_000);
});
