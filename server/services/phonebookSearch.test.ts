/**
 * The indexed phonebook search (trigram FTS5, migration 0006) against the
 * LIKE scan it replaced, on a generated phonebook: both must find the same
 * contacts in the same order for 1-, 2- and 3+-character queries, numbers
 * typed in any form, and hostile input.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import { getConfig } from "../config";
import type { Db } from "../db/client";
import { createContact, deleteContact, foldText, ftsPhrase, listContacts, numberSearchDigits, updateContact, type ContactView } from "./phonebook";

let db: Db;
let cleanup: () => Promise<void>;
const contacts: ContactView[] = [];

/** The search as it was before the index (commit 78ce72d): LIKE over the folded text, external id, numbers. */
function scanSearch(search: string): string[] {
  const s = search.trim();
  const sqlite = db.$client;
  if (!s) return sqlite.prepare("select id from phonebook_contacts order by sort_key, id").pluck().all() as string[];
  const pattern = `%${foldText(s).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const digits = numberSearchDigits(s, getConfig().DEFAULT_REGION);
  const numbers = digits.length
    ? ` or exists (select 1 from phonebook_numbers n where n.contact_id = c.id and (${digits.map(() => "n.number like ?").join(" or ")}))`
    : "";
  return sqlite
    .prepare(`select id from phonebook_contacts c where (c.search_text like ? escape '\\' or c.external_id = ?)${numbers} order by c.sort_key, c.id`)
    .pluck()
    .all(pattern, s, ...digits.map((d) => `%${d}%`)) as string[];
}

async function indexedSearch(search: string): Promise<{ ids: string[]; total: number }> {
  const page = await listContacts(db, { search, limit: 500 });
  return { ids: page.items.map((c) => c.id), total: page.total };
}

async function expectSameAsScan(search: string): Promise<void> {
  const expected = scanSearch(search);
  const actual = await indexedSearch(search);
  expect({ search, ids: actual.ids, total: actual.total }).toEqual({ search, ids: expected.slice(0, 500), total: expected.length });
}

/** A small deterministic PRNG, so a failure names a reproducible phonebook. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const firstNames = ["Ödön", "ÁGNES", "péter", "Éva", "Zsófia", "István", "Gergő", "Noémi", "Ákos", "Anna", "Lőrinc", "Józsi", "Ünige", "Jean-Luc", "O'Brien", "Ñandú"];
const lastNames = ["Kovács", "KÁLMÁN", "nagy", "Tóth", "Szűcs", "Öveges", "Fülöp", "Hajdú", "Møller", "Müller", "Zrínyi", "D'Arcy", "Kiss-Nagy", ""];
const companies = ["", "Varga és Társa Bt.", "100% Kft.", "Under_Score Zrt.", "Árvíztűrő Tükörfúrógép", "\"Quoted\" Ltd", "A*B (Holding) OR NEAR", "ACME - Budapest"];

beforeAll(async () => {
  if (onPostgres) return;
  ({ db, cleanup } = await createTestDb());
  const random = prng(20_261_125);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");
  const numberForms = [
    () => `+36 30 ${digits(3)} ${digits(4)}`,
    () => `06 20 ${digits(3)} ${digits(4)}`,
    () => `+36${"1"}${digits(7)}`,
    () => `(06 62) ${digits(3)}-${digits(3)}`,
    () => `+44 20 7946 ${digits(4)}`,
  ];
  for (let i = 0; i < 300; i++) {
    const first = pick(firstNames);
    const last = pick(lastNames);
    contacts.push(
      await createContact(db, {
        external_id: i % 7 === 0 ? `crm-${i}` : null,
        first_name: first,
        last_name: last,
        company: pick(companies),
        email: random() < 0.6 ? `${foldText(first).replace(/[^a-z]/g, "")}.${i}@example.${pick(["hu", "com"])}` : "",
        numbers: Array.from({ length: Math.floor(random() * 3) }, (_, k) => ({ type: (["work", "mobile", "home"] as const)[k], number: pick(numberForms)() })),
        notes: "",
      }),
    );
  }
});
afterAll(() => cleanup?.());

// SQLite only: FTS5 against the scan it replaced. PostgreSQL's pg_trgm search is compared with FTS5 in server/db/postgres.test.ts.
describe.skipIf(onPostgres)("indexed phonebook search", () => {
  it("finds what the scan found for 1- and 2-character queries", async () => {
    const chars = [..."aábcdeéfgiíkmnoóöőprstuúüűvxyz0123456789 -_%.'@ÁÖÉ"];
    for (const c of chars) await expectSameAsScan(c);
    for (const pair of ["ko", "KÓ", "ov", "ös", "a ", " n", "d'", "r_", "0%", "30", "@e", ".h", "-l", "ñ", "øl"]) await expectSameAsScan(pair);
  });

  it("finds what the scan found for substrings of names, companies, e-mails and numbers in any case or accent", async () => {
    const random = prng(7);
    for (const contact of contacts.slice(0, 120)) {
      const fields = [`${contact.first_name} ${contact.last_name}`, `${contact.last_name} ${contact.first_name}`, contact.company, contact.email].filter((f) => f.length >= 3);
      for (const field of fields) {
        const start = Math.floor(random() * (field.length - 2));
        const piece = field.slice(start, start + 3 + Math.floor(random() * 8));
        await expectSameAsScan(piece);
        await expectSameAsScan(piece.toUpperCase());
        await expectSameAsScan(foldText(piece));
      }
      for (const { number } of contact.numbers) {
        await expectSameAsScan(number.slice(-7)); // digits only
        await expectSameAsScan(`06 ${number.slice(3, 5)} ${number.slice(5, 8)}`); // national, spaced, partial
        await expectSameAsScan(`+36 ${number.slice(3, 5)} ${number.slice(5, 8)} ${number.slice(8)}`);
        await expectSameAsScan(number.slice(1, 4)); // 3 digits
      }
      if (contact.external_id) await expectSameAsScan(contact.external_id);
    }
    expect((await indexedSearch("kovacs")).total).toBeGreaterThan(0);
    expect((await indexedSearch("KOVÁCS")).ids).toEqual((await indexedSearch("kovacs")).ids);
  });

  it("treats FTS syntax in the query as plain text", async () => {
    const hostile = [
      '"', '""', '"kov', 'kov"', '*', 'kov*', '-kov', 'kov -nagy', 'kovacs OR nagy', 'OR', 'AND', 'NOT nagy', 'NEAR(kovacs nagy)', 'NEAR(kov',
      '(kovacs)', ')', 'search_text:kov', '{search_text}: kov', '^kov', 'kov + nagy', "'; drop table phonebook_contacts; --", '100%', 'r_s', '\\',
      'a\u0000b', '\u0000\u0000\u0000', 'ab\u0000', '\uD800ab', '𝕏𝕏𝕏', '"Quoted"', 'a*b (holding) or near', 'ñandú', 'x'.repeat(100),
    ];
    for (const search of hostile) await expectSameAsScan(search);
    expect(ftsPhrase('a"b')).toBe('"a""b"');
    expect((await indexedSearch("a*b (holding) or near")).total).toBeGreaterThan(0);
  });

  it("answers like the scan for any string (property)", async () => {
    const syntax = fc.constantFrom(..."\"'*-+^:(){}[]%_\\ \u0000aáoóőkKNEARORANDNOT0123456789@.".split(""), " OR ", " NEAR(", " AND ", "search_text:", "kov", "nagy", "+36 ", "06 30");
    const search = fc.oneof(
      fc.array(syntax, { maxLength: 12 }).map((parts) => parts.join("")),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(search.filter((s) => s.trim().length <= 100), (s) => expectSameAsScan(s)),
      { numRuns: 300, seed: 20_261_125 },
    );
  });

  it("pages the indexed results in the same order as the whole list", async () => {
    const all = scanSearch("ko");
    const search = "kov";
    const expected = scanSearch(search);
    expect(expected.length).toBeGreaterThan(4);
    expect(all.length).toBeGreaterThan(0);
    const pages: string[] = [];
    for (const offset of [0, 2, 4]) pages.push(...(await listContacts(db, { search, limit: 2, offset })).items.map((c) => c.id));
    expect(pages).toEqual(expected.slice(0, 6));
    expect(await listContacts(db, { search, limit: 2, offset: 10_000 })).toEqual({ items: [], total: expected.length });
  });

  it("stays in step with updates and deletes (triggers), numbers included", async () => {
    const contact = await createContact(db, { first_name: "Quentin", last_name: "Xylofon", numbers: [{ type: "mobile", number: "+36 70 555 0123" }] });
    expect((await indexedSearch("xylof")).ids).toEqual([contact.id]);
    expect((await indexedSearch("70 555 0123")).ids).toEqual([contact.id]);
    await updateContact(db, contact.id, { first_name: "Quentin", last_name: "Zongora", numbers: [{ type: "work", number: "+36 1 999 8877" }] });
    expect((await indexedSearch("xylof")).ids).toEqual([]);
    expect((await indexedSearch("zongor")).ids).toEqual([contact.id]);
    expect((await indexedSearch("5550123")).ids).toEqual([]);
    expect((await indexedSearch("9998877")).ids).toEqual([contact.id]);
    await deleteContact(db, contact.id); // numbers go by cascade
    expect((await indexedSearch("zongor")).ids).toEqual([]);
    expect((await indexedSearch("9998877")).ids).toEqual([]);
    // The indexes agree with their tables row for row.
    db.$client.exec("insert into phonebook_contacts_fts (phonebook_contacts_fts, rank) values ('integrity-check', 1)");
    db.$client.exec("insert into phonebook_numbers_fts (phonebook_numbers_fts, rank) values ('integrity-check', 1)");
  });

  it("answers 3+ characters from the index and shorter queries by scanning", async () => {
    const sqlite = db.$client;
    expect((await indexedSearch("kov")).total).toBeGreaterThan(0);
    sqlite.exec("insert into phonebook_contacts_fts (phonebook_contacts_fts) values ('delete-all')");
    try {
      expect((await indexedSearch("kov")).total).toBe(0);
      expect((await indexedSearch("ko")).total).toBeGreaterThan(0);
    } finally {
      sqlite.exec("insert into phonebook_contacts_fts (phonebook_contacts_fts) values ('rebuild')");
    }
    expect((await indexedSearch("kov")).total).toBeGreaterThan(0);
  });
});
