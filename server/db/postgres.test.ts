/**
 * PostgreSQL smoke test (issue #12): migrations applied at open, one row
 * through each table family with every column kind (text, enum, 64-bit
 * integers, booleans, JSON, floats, identity ids, defaults), the plpgsql
 * config_versions trigger and its NOTIFY, and the pg_trgm phonebook search
 * against the SQLite FTS5 search on the same generated phonebook.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { and, asc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import { createTestDb } from "@/tests/helpers/db";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { getConfig } from "../config";
import { createContact, foldText, listContacts, numberSearchDigits, type ContactView } from "../services/phonebook";
import * as sqliteTables from "./schema";
import * as pgTables from "./schema/pg";
import { openPostgres, pgMigrationsFolder, redactedUrl, type PgDb, type PostgresConnection } from "./postgres";
import type { Db } from "./client";

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Epoch milliseconds are past PostgreSQL's 32-bit integer: the columns must be 64-bit. */
const epochMs = Date.UTC(2026, 11, 6, 8, 0, 0, 123);

describe.skipIf(!testDatabaseUrl)("PostgreSQL backend", () => {
  let connection: PostgresConnection & { url: string; drop: () => Promise<void> };
  let db: PgDb;

  beforeAll(async () => {
    connection = await createTestPostgres(testDatabaseUrl!);
    db = connection.db;
  });
  afterAll(async () => connection?.drop());

  it("applies the migrations of drizzle/pg when opening an empty database, once, and names the server without its password", async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    const name = `switchboard_empty_${process.pid}`;
    try {
      await admin.query(`create database "${name}"`);
      const url = new URL(testDatabaseUrl!);
      url.pathname = `/${name}`;
      // Two processes starting at once: the advisory lock lets one migrate, the other finds nothing to do.
      const [first, second] = await Promise.all([openPostgres(url.toString()), openPostgres(url.toString())]);
      const { rows } = await first.db.$client.query<{ n: string }>("select count(*) as n from drizzle.__drizzle_migrations");
      const journal = JSON.parse(fs.readFileSync(path.join(pgMigrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
      expect(Number(rows[0].n)).toBe(journal.entries.length);
      await Promise.all([first.close(), second.close()]);

      url.password = "not-the-password";
      const refused = await openPostgres(url.toString()).catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/cannot be opened/);
      expect((refused as Error).message).not.toContain("not-the-password");
      expect(redactedUrl(url.toString())).toContain(":***@");
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });

  it("stores and reads back a row of each table family with the SQLite column semantics", async () => {
    const t = pgTables;
    const [user] = await db.insert(t.users).values({ id: "usr_1", email: "Anna@Example.com", firstName: "Anna", role: "admin" }).returning();
    expect(user).toMatchObject({ enabled: true, locale: null, lastName: "", role: "admin" });
    expect(user.createdAt).toMatch(isoTimestamp);
    // users_email_unique is on lower(email), as in SQLite.
    await expect(db.insert(t.users).values({ id: "usr_2", email: "anna@example.COM", firstName: "Other" })).rejects.toMatchObject({ cause: { code: "23505" } });

    await db.insert(t.technicalUsers).values({ id: "tu_1", name: "CRM", clientId: "c1", secretHash: "h", scopes: ["calls:read", "cdrs:read"] });
    const [technical] = await db.select().from(t.technicalUsers).where(eq(t.technicalUsers.id, "tu_1"));
    expect(technical).toMatchObject({ scopes: ["calls:read", "cdrs:read"], ipAllowlist: [] });
    await db.insert(t.apiIdempotencyKeys).values({ technicalUserId: "tu_1", key: "k", requestHash: "r", status: 201, body: "{}", headers: { location: "/x" }, createdAt: "2026-12-06T08:00:00.000Z" });
    expect((await db.select().from(t.apiIdempotencyKeys))[0].headers).toEqual({ location: "/x" });

    const document = { nodes: [{ id: "n1", type: "start", data: { text: "Üdv, \"ügyfél\"" } }], edges: [] };
    await db.insert(t.flows).values({ id: "flw_1", name: "Main", draft: document, updatedBy: "usr_1" });
    expect((await db.select({ draft: t.flows.draft, draftVersion: t.flows.draftVersion }).from(t.flows))[0]).toEqual({ draft: document, draftVersion: 1 });

    await db.insert(t.cdrs).values({
      cdrId: "cdr_1", conversationId: "conv_1", callId: "call_1", sequence: 1, isFinal: true, direction: "inbound", disposition: "answered",
      callerNumber: "+36301112233", calledNumber: "+3612345678", startedAt: "2026-12-06T08:00:00.000Z", endedAt: "2026-12-06T08:01:00.000Z", document: { cdr_id: "cdr_1" },
    });
    await db.insert(t.cdrExtensions).values({ cdrId: "cdr_1", extension: "101" });
    expect(await db.select({ isFinal: t.cdrs.isFinal, document: t.cdrs.document }).from(t.cdrs)).toEqual([{ isFinal: true, document: { cdr_id: "cdr_1" } }]);
    await db.insert(t.recordings).values({ code: "rec_1", conversationId: "conv_1", kind: "call", format: "mp3", durationS: 12.345, sizeBytes: 5_000_000_000, sha256: "00", createdAt: "x" });
    expect((await db.select({ d: t.recordings.durationS, s: t.recordings.sizeBytes }).from(t.recordings))[0]).toEqual({ d: 12.345, s: 5_000_000_000 });

    await db.insert(t.agents).values({ id: "agt_1", userId: "usr_1" });
    const history = await db
      .insert(t.agentStateHistory)
      .values([
        { agentId: "agt_1", status: "available", at: "2026-12-06T08:00:00.000Z" },
        { agentId: "agt_1", status: "paused", pauseReason: "lunch", at: "2026-12-06T09:00:00.000Z" },
      ])
      .returning({ id: t.agentStateHistory.id });
    expect(history.map((h) => h.id)).toEqual([1, 2]);

    await db.insert(t.outboundApis).values({
      id: "oa_1", name: "CRM", kind: "end_of_call", config: { url: "https://crm.example/hook" }, signingSecretEncrypted: "x", createdAt: epochMs, updatedAt: epochMs,
    });
    await db.insert(t.integrationMessages).values({ id: "msg_1", eventType: "call.ended", payload: "{}", createdAt: epochMs });
    await db.insert(t.deliveries).values({ id: "dlv_1", messageId: "msg_1", outboundApiId: "oa_1", status: "pending", nextAttemptAt: epochMs + 1, createdAt: epochMs, updatedAt: epochMs });
    await db.insert(t.deliveryAttempts).values({ deliveryId: "dlv_1", attemptNo: 1, startedAt: epochMs, latencyMs: 42, statusCode: 200 });
    const [delivery] = await db.select().from(t.deliveries).where(and(eq(t.deliveries.status, "pending"), eq(t.deliveries.nextAttemptAt, epochMs + 1)));
    expect(delivery).toMatchObject({ attempts: 0, nextAttemptAt: epochMs + 1, leaseUntil: null });
    expect(typeof delivery.createdAt).toBe("number");

    await db.insert(t.audioPrompts).values({ id: "aud_1", name: "Welcome", originalFileName: "w.wav", contentType: "audio/wav", sizeBytes: 10, sha256: "00", createdBy: "usr_1" });
    // Foreign keys with the SQLite actions: deleting the user nulls the prompt's author and cascades to the agent and its history.
    await db.delete(t.users).where(eq(t.users.id, "usr_1"));
    expect((await db.select({ createdBy: t.audioPrompts.createdBy }).from(t.audioPrompts))[0].createdBy).toBeNull();
    expect(await db.select().from(t.agentStateHistory)).toEqual([]);
  });

  it("writes the same ISO 8601 default timestamps as SQLite", async () => {
    const sqlite = await createTestDb("sqlite");
    try {
      sqlite.db.insert(sqliteTables.queues).values({ id: "que_1", name: "Support" }).run();
      const [fromSqlite] = sqlite.db.select({ createdAt: sqliteTables.queues.createdAt }).from(sqliteTables.queues).all();
      const [fromPg] = await db.insert(pgTables.queues).values({ id: "que_1", name: "Support" }).returning({ createdAt: pgTables.queues.createdAt });
      expect(fromSqlite.createdAt).toMatch(isoTimestamp);
      expect(fromPg.createdAt).toMatch(isoTimestamp);
      expect(Math.abs(Date.parse(fromPg.createdAt) - Date.parse(fromSqlite.createdAt))).toBeLessThan(60_000);
    } finally {
      await sqlite.cleanup();
    }
  });

  it("bumps config_versions in the writing transaction and notifies listeners on commit", async () => {
    const version = async () => (await db.select().from(pgTables.configVersions).where(eq(pgTables.configVersions.topic, "outbound_apis")))[0].version;
    const listener = new pg.Client({ connectionString: connection.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(`${n.channel}:${n.payload}`));
    await listener.query("listen config_versions");
    try {
      const before = await version();
      await db.transaction(async (tx) => {
        await tx.insert(pgTables.outboundApis).values({ id: "oa_2", name: "B", kind: "event_hook", config: {}, signingSecretEncrypted: "x", createdAt: epochMs, updatedAt: epochMs });
        await tx.update(pgTables.outboundApis).set({ enabled: false }).where(eq(pgTables.outboundApis.id, "oa_2"));
        expect(heard).toEqual([]); // nothing before commit
      });
      await db.delete(pgTables.outboundApis).where(eq(pgTables.outboundApis.id, "oa_2"));
      expect(await version()).toBe(before + 3); // one per row written, as SQLite's triggers
      await expect.poll(() => heard.length).toBeGreaterThanOrEqual(2); // per transaction: PostgreSQL folds equal payloads
      expect(new Set(heard)).toEqual(new Set(["config_versions:outbound_apis"]));
    } finally {
      await listener.end();
    }
  });
});

describe.skipIf(!testDatabaseUrl)("phonebook search: pg_trgm on PostgreSQL finds what FTS5 finds on SQLite", () => {
  let sqlite: { db: Db; cleanup: () => void };
  let connection: PostgresConnection & { drop: () => Promise<void> };
  const contacts: ContactView[] = [];

  /** The search as PostgreSQL answers it: LIKE on the folded text and the numbers, which the trigram GIN indexes serve. */
  async function pgSearch(search: string): Promise<string[]> {
    const c = pgTables.phonebookContacts;
    const n = pgTables.phonebookNumbers;
    const text = search.trim();
    const escaped = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    const digits = numberSearchDigits(text, getConfig().DEFAULT_REGION);
    const conditions: (SQL | undefined)[] = [sql`${c.searchText} like ${`%${escaped(foldText(text))}%`}`, eq(c.externalId, text)];
    if (digits.length) conditions.push(inArray(c.id, connection.db.select({ id: n.contactId }).from(n).where(or(...digits.map((d) => like(n.number, `%${d}%`))))));
    const rows = await connection.db.select({ id: c.id }).from(c).where(or(...conditions)).orderBy(asc(c.sortKey), asc(c.id));
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    sqlite = await createTestDb("sqlite");
    connection = await createTestPostgres(testDatabaseUrl!);
    const names = ["Kovács", "KÁLMÁN", "nagy", "Tóth", "Szűcs", "Öveges", "Møller", "D'Arcy", "Kiss-Nagy", ""];
    const firsts = ["Ödön", "ÁGNES", "péter", "Éva", "Zsófia", "Jean-Luc", "O'Brien", "Ñandú"];
    const companies = ["", "Varga és Társa Bt.", "100% Kft.", "Under_Score Zrt.", "Árvíztűrő Tükörfúrógép", "\"Quoted\" Ltd"];
    for (let i = 0; i < 200; i++) {
      contacts.push(
        await createContact(sqlite.db, {
          external_id: i % 9 === 0 ? `crm-${i}` : null,
          first_name: firsts[(i * 7) % firsts.length],
          last_name: names[(i * 3) % names.length],
          company: companies[(i * 5) % companies.length],
          email: i % 3 === 0 ? `user.${i}@example.hu` : "",
          numbers: Array.from({ length: i % 3 }, (_, k) => ({ type: (["work", "mobile"] as const)[k], number: `+36 30 ${String(100 + ((i * 37 + k) % 900))} ${String(1000 + ((i * 7919) % 9000))}` })),
          notes: "",
        }),
      );
    }
    // The same rows, copied as a `db copy` would.
    await connection.db.insert(pgTables.phonebookContacts).values(sqlite.db.select().from(sqliteTables.phonebookContacts).all());
    await connection.db.insert(pgTables.phonebookNumbers).values(sqlite.db.select().from(sqliteTables.phonebookNumbers).all());
  });
  afterAll(async () => {
    await sqlite?.cleanup();
    await connection?.drop();
  });

  it("returns the same contacts in the same order for names, accents, companies, e-mails, numbers and LIKE metacharacters", async () => {
    const queries = ["kovacs", "KOVÁCS", "ács", "ko", "k", "agy", "kiss-n", "d'a", "o'b", "ñan", "møl", "100%", "0%", "r_s", "under_", '"quoted"', "tükörfúró", "user.3", "@example", "crm-18", "crm-1", "30 1", "0630", "+36 30", "3630", "06 30 137", "xyz-none"];
    for (const contact of contacts.slice(0, 40)) {
      if (contact.numbers[0]) queries.push(contact.numbers[0].number.slice(-7), contact.numbers[0].number.slice(3, 6));
      if (contact.last_name.length >= 4) queries.push(contact.last_name.slice(1, 4));
    }
    let found = 0;
    for (const search of queries) {
      const fromSqlite = (await listContacts(sqlite.db, { search, limit: 500 })).items.map((c) => c.id);
      expect({ search, ids: await pgSearch(search) }).toEqual({ search, ids: fromSqlite });
      found += fromSqlite.length;
    }
    expect(found).toBeGreaterThan(queries.length); // the queries do find contacts
  });

  it("can answer the substring search from the trigram indexes", async () => {
    const client = await connection.db.$client.connect();
    try {
      await client.query("set enable_seqscan = off");
      const plan = (await client.query("explain select id from phonebook_contacts where search_text like '%kovacs%'")).rows.map((r) => Object.values(r)[0]).join("\n");
      const numberPlan = (await client.query("explain select contact_id from phonebook_numbers where number like '%3630%'")).rows.map((r) => Object.values(r)[0]).join("\n");
      expect(plan).toContain("phonebook_contacts_search_trgm_idx");
      expect(numberPlan).toContain("phonebook_numbers_number_trgm_idx");
    } finally {
      client.release();
    }
  });
});
