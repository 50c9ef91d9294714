/**
 * `db copy`: a seeded demo plus generated calls, CDRs with recordings, deliveries, phonebook, a technical user and an
 * audio prompt, copied from SQLite into PostgreSQL — verified per table, then read back through the services on
 * PostgreSQL; a corrupted target row fails the verification. Needs TEST_DATABASE_URL.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { cdr, storeCdrs } from "@/tests/helpers/cdrs";
import { createHarness, silentLogger, type Harness } from "../integration/testing/harness";
import { attachToRuntime } from "../integration";
import { Runtime } from "../runtime/runtime";
import { seedDemo } from "../services/demo";
import { listUsers } from "../services/users";
import { listCdrs } from "../services/callHistory";
import { createContact, getContact, listContacts } from "../services/phonebook";
import { createTechnicalUser } from "../services/technicalUsers";
import { audioDirOf, createAudioPrompt } from "../services/audioPrompts";
import { wavBytes } from "../audio/testAudio";
import { writeToneWav } from "../telephony/simulated/wav";
import { cdrRecording, defaultRecordingUrl } from "../pbx/cdr";
import type { Db } from "./client";
import type { PostgresConnection } from "./postgres";
import { compareChecksums, copySqliteToPostgres, postgresChecksums, sqliteChecksums, TargetNotEmptyError } from "./sqliteToPostgres";

if (!testDatabaseUrl) console.warn('db copy is not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

type TestPostgres = PostgresConnection & { url: string; drop: () => Promise<void> };

describe.skipIf(!testDatabaseUrl)("db copy: a SQLite installation into PostgreSQL", () => {
  let h: Harness;
  let recordingsDir: string;
  const targets: TestPostgres[] = [];

  async function emptyTarget(): Promise<TestPostgres> {
    const target = await createTestPostgres(testDatabaseUrl!);
    targets.push(target);
    return target;
  }

  beforeAll(async () => {
    // A Tuesday at 10:00 in Budapest: the demo reception flow is open.
    h = await createHarness({ start: "2026-11-24T09:00:00Z", backend: "sqlite" });
    recordingsDir = path.join(h.dir, "recordings");
    await seedDemo(h.db);
    await h.createApi({ kind: "end_of_call", name: "CDRs", url: "http://127.0.0.1:9/cdr", apply_to: "all_calls", send_partials: true });
    await h.createApi({ kind: "event_hook", name: "Hooks", url: "http://127.0.0.1:9/hooks", events: ["agent.state_changed", "call.answered"] });
    await createTechnicalUser(h.db, { name: "MiniCRM", scopes: ["cdrs:read"] });
    await createAudioPrompt(h.db, audioDirOf(h.dir), { bytes: wavBytes({ durationMs: 800 }), fileName: "köszöntő.wav" }, null);

    // Calls through the demo flow on the SQLite runtime: CDRs, traces, agent history, outbox messages and deliveries.
    const runtime = new Runtime({ db: h.db, recordingsDir, logger: silentLogger, clock: h.clock });
    attachToRuntime(h.integration, runtime);
    runtime.pbx.agentLogin(runtime.directory.agents()[0]!.agentId);
    for (let i = 0; i < 12; i++) {
      const { callId } = runtime.pbx.placeInboundCall({ from: `+3630111${String(i).padStart(4, "0")}`, to: "+3612345678" });
      await h.clock.advanceAsync(2_000);
      runtime.pbx.sendDtmf(callId, "1");
      await h.clock.advanceAsync(500);
      if (i % 2 === 0) runtime.pbx.answerPhone("101");
      await h.clock.advanceAsync(5_000);
      runtime.pbx.hangupCall(callId);
      await h.clock.advanceAsync(100);
    }
    await runtime.close();

    // Generated CDRs, two with real recording files; NULLs, booleans, JSON and reals in every shape the schema has.
    const recorded = [writeToneWav(recordingsDir, 1_500), writeToneWav(recordingsDir, 700)];
    await storeCdrs(
      h.db,
      ...Array.from({ length: 300 }, (_, i) =>
        cdr(`gen${String(i).padStart(4, "0")}`, new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(), {
          caller: { number: `+36201${String(i).padStart(6, "0")}`, name: i % 3 ? `Hívó ${i} "idézőjel"` : null },
          is_final: i % 10 !== 0,
          duration_s: i / 7,
          recordings: i < recorded.length ? [cdrRecording(recorded[i]!, defaultRecordingUrl)] : [],
        }),
      ),
    );
    for (let i = 0; i < 150; i++) {
      await createContact(h.db, {
        external_id: i % 9 === 0 ? `crm-${i}` : null,
        first_name: ["Ödön", "ÁGNES", "péter", "Zsófia", "O'Brien"][i % 5]!,
        last_name: ["Kovács", "Tóth", "Szűcs", "Kiss-Nagy", "Møller"][(i * 3) % 5]!,
        company: i % 4 ? `Varga és Társa ${i % 7} Bt.` : "",
        email: i % 3 === 0 ? `user.${i}@example.hu` : "",
        numbers: Array.from({ length: i % 3 }, (_, k) => ({ type: (["work", "mobile"] as const)[k]!, number: `+36 30 ${100 + ((i * 37 + k) % 900)} ${1000 + ((i * 7919) % 9000)}` })),
        notes: i % 5 ? "" : "jegyzet\nsortöréssel",
      });
    }
  }, 60_000);

  afterEach(async () => {
    for (const target of targets.splice(0)) await target.drop();
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it("copies every table so that row counts and checksums match, and the PostgreSQL services read the same organisation", async () => {
    const target = await emptyTarget();
    const copied = await copySqliteToPostgres(h.db, target.db);
    const rowsOf = (table: string) => copied.find((entry) => entry.table === table)?.rows;
    expect(rowsOf("cdrs")).toBeGreaterThan(300);
    // The demo flow records its calls; two generated CDRs carry recordings too.
    expect(rowsOf("recordings")).toBe(fs.readdirSync(recordingsDir).length);
    expect(rowsOf("recordings")).toBeGreaterThan(2);
    expect(rowsOf("deliveries")).toBeGreaterThan(10);
    expect(rowsOf("agent_state_history")).toBeGreaterThan(0);
    expect(rowsOf("phonebook_contacts")).toBeGreaterThanOrEqual(150);

    const comparison = compareChecksums(sqliteChecksums(h.db), await postgresChecksums(target.db));
    expect(comparison.filter((table) => !table.matches)).toEqual([]);
    expect(comparison.map((table) => table.table)).toEqual(copied.map((entry) => entry.table));

    const pg = target.db as unknown as Db;
    expect(await listUsers(pg)).toEqual(await listUsers(h.db));
    const admin = { kind: "api" } as const;
    const [cdrsOnSqlite, cdrsOnPg] = [await listCdrs(h.db, admin, { limit: 50 }), await listCdrs(pg, admin, { limit: 50 })];
    expect(cdrsOnPg.items.length).toBeGreaterThan(0);
    expect(cdrsOnPg).toEqual(cdrsOnSqlite);
    const { items: contacts } = await listContacts(h.db, { limit: 500 });
    expect((await listContacts(pg, { limit: 500 })).items).toEqual(contacts);
    expect(await getContact(pg, contacts[7]!.id)).toEqual(contacts[7]);
    // The phonebook search's trigram indexes cover the copied rows (the planner is told to use indexes only).
    const client = await target.db.$client.connect();
    try {
      await client.query("begin; set local enable_seqscan = off");
      const found = await client.query<{ id: string }>("select id from phonebook_contacts where search_text like '%szucs%' order by id");
      const expected = h.db.$client.prepare("select id from phonebook_contacts where search_text like '%szucs%' order by id").all();
      expect(found.rows.length).toBeGreaterThan(0);
      expect(found.rows).toEqual(expected);
      await client.query("commit");
    } finally {
      client.release();
    }

    // Identity sequences start past the copied ids: a new row does not collide.
    const { rows } = await target.db.$client.query<{ id: number }>(
      "insert into agent_state_history (agent_id, status, at) select agent_id, 'logged_out', at from agent_state_history limit 1 returning id",
    );
    const maxCopied = h.db.$client.prepare("select max(id) as id from agent_state_history").get() as { id: number };
    expect(rows[0]!.id).toBe(maxCopied.id + 1);
  });

  it("fails the verification of exactly the tables whose target rows were changed, JSON text and booleans included", async () => {
    const target = await emptyTarget();
    await copySqliteToPostgres(h.db, target.db);
    // The same JSON document with different spacing is a different copy: JSON is compared as the text it is stored as.
    await target.db.$client.query(
      "update cdrs set document = replace(document, '\"is_final\":true', '\"is_final\": true') where cdr_id = (select min(cdr_id) from cdrs where is_final)",
    );
    await target.db.$client.query("update extensions set enabled = not enabled where number = '102'");
    const comparison = compareChecksums(sqliteChecksums(h.db), await postgresChecksums(target.db));
    expect(comparison.filter((table) => !table.matches).map((table) => table.table)).toEqual(["extensions", "cdrs"]);
    expect(comparison.find((table) => table.table === "cdrs")).toMatchObject({ sourceRows: comparison.find((t) => t.table === "cdrs")!.targetRows });
  });

  it("refuses a target that already holds data, naming what it found, and replaces it only when asked", async () => {
    const target = await emptyTarget();
    await copySqliteToPostgres(h.db, target.db);
    const refused = await copySqliteToPostgres(h.db, target.db).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TargetNotEmptyError);
    expect((refused as TargetNotEmptyError).message).toMatch(/users: 5 rows.*cdrs: \d+ rows/);
    await target.db.$client.query("update users set first_name = 'Changed'");
    await copySqliteToPostgres(h.db, target.db, { replace: true });
    const comparison = compareChecksums(sqliteChecksums(h.db), await postgresChecksums(target.db));
    expect(comparison.every((table) => table.matches)).toBe(true);
  });

  it("npm run cli -- db copy: copies the installation and its recordings (sha256 verified), prints the table; db verify exits 1 on a corrupted row", async () => {
    const target = await emptyTarget();
    // An installation's data folder: the database as switchboard.db, its recordings and audio prompts beside it.
    const dataDir = fs.mkdtempSync(path.join(h.dir, "installation-"));
    await h.db.$client.backup(path.join(dataDir, "switchboard.db"));
    fs.cpSync(recordingsDir, path.join(dataDir, "recordings"), { recursive: true });
    fs.cpSync(audioDirOf(h.dir), audioDirOf(dataDir), { recursive: true });
    const newDataDir = path.join(h.dir, "new-data");
    const root = path.resolve(__dirname, "../..");
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: "silent" },
        encoding: "utf8",
      });

    const copy = cli(["db", "copy", "--to", target.url, "--recordings-to", newDataDir]);
    expect(copy.stderr).toContain("Copy verified.");
    expect(copy.status).toBe(0);
    const report = JSON.parse(copy.stdout) as { ok: boolean; tables: { table: string; matches: boolean }[]; files: { files: number; copyMismatches: string[] } };
    expect(report.ok).toBe(true);
    // Every recording and the audio prompt.
    expect(report.files).toMatchObject({ files: fs.readdirSync(recordingsDir).length + 1, copyMismatches: [], missing: [], damagedAtSource: [] });
    expect(copy.stderr).toMatch(/cdrs\s+[\d,]+\s+[\d,]+\s+ok/);
    expect(copy.stderr).toContain(`DATA_DIR=${newDataDir}`);
    expect(copy.stderr).not.toContain(new URL(target.url).password);
    for (const file of fs.readdirSync(path.join(dataDir, "recordings"))) {
      expect(fs.readFileSync(path.join(newDataDir, "recordings", file))).toEqual(fs.readFileSync(path.join(dataDir, "recordings", file)));
    }
    expect(fs.readdirSync(audioDirOf(newDataDir))).toHaveLength(1);

    await target.db.$client.query("update phonebook_numbers set number = '+36301234567' where position = 0 and contact_id = (select min(contact_id) from phonebook_numbers)");
    const verify = cli(["db", "verify", "--to", target.url]);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toMatch(/phonebook_numbers\s+[\d,]+\s+[\d,]+\s+MISMATCH/);
    expect((JSON.parse(verify.stdout) as { ok: boolean }).ok).toBe(false);

    const again = cli(["db", "copy", "--to", target.url]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds data \(users: 5 rows/);
  }, 60_000);
});
