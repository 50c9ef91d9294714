import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { parseCsv } from "@/lib/csv";
import type { Db } from "../db/client";
import {
  contactVcard,
  createContact,
  deleteContact,
  exportContactsCsv,
  exportContactsVcard,
  getContact,
  importContactsCsv,
  importLimits,
  listContacts,
  numberSearchDigits,
  updateContact,
  backfillContactSearch,
} from "./phonebook";
import { phonebookContacts } from "../db/schema";
import { serviceError } from "@/tests/helpers/errors";

let db: Db;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
beforeEach(async () => ({ db, runtimeStore, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const varga = {
  external_id: "crm-1",
  first_name: "László",
  last_name: "Varga",
  company: "Varga és Társa Bt.",
  email: "laszlo@varga.example",
  numbers: [
    { type: "work" as const, number: "06 1 345 6789" },
    { type: "mobile" as const, number: "+36 30 111 2233" },
  ],
  notes: "Prefers mornings",
};

describe("phonebook contacts", () => {
  it("stores numbers in E.164, reads them back in order, and the PBX shows the name for an incoming number", async () => {
    const created = await createContact(db, varga);
    expect(created).toMatchObject({
      external_id: "crm-1",
      version: 1,
      numbers: [
        { type: "work", number: "+3613456789" },
        { type: "mobile", number: "+36301112233" },
      ],
    });
    expect(await getContact(db, created.id)).toEqual(created);
    expect((await runtimeStore()).directory.callerName("+36301112233")).toBe("László Varga");
  });

  it("refuses a duplicate external_id with a conflict on that field, and a bad number naming its position", async () => {
    await createContact(db, varga);
    const duplicate = await serviceError(() => createContact(db, { ...varga, numbers: [] }));
    expect([duplicate.code, duplicate.options.field]).toEqual(["conflict", "external_id"]);
    const badNumber = await serviceError(() => createContact(db, { first_name: "X", numbers: [{ type: "work", number: "12" }] }));
    expect([badNumber.code, badNumber.options.field]).toEqual(["invalid", "numbers.0.number"]);
    expect((await listContacts(db)).total).toBe(1);
  });

  it("needs a name or a company", async () => {
    await expect(createContact(db, { email: "a@b.example" })).rejects.toThrow(/contactName/);
  });

  it("updates with optimistic versions: a stale version is refused and leaves the contact as it was", async () => {
    const created = await createContact(db, varga);
    const updated = await updateContact(db, created.id, { ...varga, notes: "Call after 10" }, { ifVersion: 1 });
    expect(updated).toMatchObject({ version: 2, notes: "Call after 10" });
    const stale = await serviceError(() => updateContact(db, created.id, { ...varga, notes: "lost update" }, { ifVersion: 1 }));
    expect(stale.code).toBe("precondition_failed");
    expect((await getContact(db, created.id)).notes).toBe("Call after 10");
    expect((await serviceError(() => deleteContact(db, created.id, { ifVersion: 1 }))).code).toBe("precondition_failed");
    await deleteContact(db, created.id, { ifVersion: 2 });
    expect((await serviceError(() => getContact(db, created.id))).code).toBe("not_found");
  });

  it("updating to another contact's external_id is a conflict", async () => {
    await createContact(db, varga);
    const other = await createContact(db, { first_name: "Katalin", external_id: "crm-2" });
    expect((await serviceError(() => updateContact(db, other.id, { first_name: "Katalin", external_id: "crm-1" }))).code).toBe("conflict");
  });
});

describe("phonebook search", () => {
  beforeEach(async () => {
    await createContact(db, varga);
    await createContact(db, { first_name: "Katalin", last_name: "Molnár", company: "Molnár Logisztika", numbers: [{ type: "mobile", number: "+36209876543" }] });
    await createContact(db, { company: "Farkas Autó", numbers: [{ type: "work", number: "+3662123456" }] });
  });
  const names = async (search: string) => (await listContacts(db, { search })).items.map((c) => c.last_name || c.company);

  it("finds names and companies ignoring case and accents, sorted by family name", async () => {
    expect(await names("")).toEqual(["Farkas Autó", "Molnár", "Varga"]);
    expect(await names("molnar")).toEqual(["Molnár"]);
    expect(await names("LÁSZLÓ VARGA")).toEqual(["Varga"]);
    expect(await names("auto")).toEqual(["Farkas Autó"]);
    expect(await names("100%")).toEqual([]);
  });

  it("finds numbers typed in national, international or partial form", async () => {
    expect(await names("06 30 111 2233")).toEqual(["Varga"]);
    expect(await names("+36 20 987")).toEqual(["Molnár"]);
    expect(await names("9876543")).toEqual(["Molnár"]);
    expect(await names("(62) 123-456")).toEqual(["Farkas Autó"]);
    expect(numberSearchDigits("06 30 111", "HU")).toEqual(["0630111", "3630111"]);
  });

  it("pages with limit and offset and reports the total", async () => {
    const page = await listContacts(db, { limit: 2, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((c) => c.last_name || c.company)).toEqual(["Molnár", "Varga"]);
  });
});

describe("phonebook import", () => {
  const csv = [
    "External ID;Vezetéknév;Keresztnév;Cég;E-mail;Mobil;Munkahelyi;Kedvenc szín",
    'crm-10;Kiss;Anna;"Kiss; Fia Kft.";anna@kiss.example;06 30 123 4567;+36 1 222 3333 | 06 1 222 4444;kék',
    "crm-11;Nagy;Béla;;not-an-email;;;",
    "crm-12;Rossz;Szám;;;12345;;",
    ";;;;;;;",
    'crm-13;"Több',
  ].join("\r\n");

  it("previews without writing: good rows, and each bad row with its line and field", async () => {
    const preview = await importContactsCsv(db, csv.replace('\r\ncrm-13;"Több', ""), { dryRun: true });
    expect(preview.ignoredColumns).toEqual(["Kedvenc szín"]);
    expect(preview.rows.map((r) => [r.line, r.action])).toEqual([
      [2, "create"],
      [3, "error"],
      [4, "error"],
    ]);
    expect(preview.rows[0]).toMatchObject({ name: "Anna Kiss", numbers: ["+36301234567", "+3612223333", "+3612224444"] });
    expect(preview.rows[1].errors).toEqual([expect.objectContaining({ field: "email", messageKey: "errors.email" })]);
    expect(preview.rows[2].errors).toEqual([expect.objectContaining({ field: "numbers.0.number", messageKey: "operations.errors.phoneNumber" })]);
    expect((await listContacts(db)).total).toBe(0);
  });

  it("keeps good rows, skips bad ones, updates by external_id and flags duplicates within the file", async () => {
    await createContact(db, { external_id: "crm-20", first_name: "Old", numbers: [] });
    const file = [
      "external_id,first_name,last_name,phone_mobile",
      "crm-20,New,Name,+36301112233",
      "crm-21,Ok,Row,",
      "crm-21,Dup,Row,",
      ",,,+36301112234",
    ].join("\n");
    const result = await importContactsCsv(db, file, { dryRun: false });
    expect([result.created, result.updated, result.failed]).toEqual([1, 1, 2]);
    expect(result.rows[2].errors[0].messageKey).toBe("operations.errors.duplicateInFile");
    expect(result.rows[3].errors[0].messageKey).toBe("operations.errors.contactName");
    expect((await listContacts(db, { search: "crm-20" })).items[0]).toMatchObject({ first_name: "New", numbers: [{ type: "mobile", number: "+36301112233" }] });
    expect((await listContacts(db)).total).toBe(2);
  });

  it("refuses an unclosed quote, a missing name column, and a file over the size cap, storing nothing", async () => {
    await expect(importContactsCsv(db, csv, { dryRun: false })).rejects.toThrow(/never closed/);
    await expect(importContactsCsv(db, "foo,bar\n1,2", { dryRun: false })).rejects.toThrow(/no name or company/);
    await expect(importContactsCsv(db, "first_name\n" + "x".repeat(importLimits.maxChars), { dryRun: false })).rejects.toThrow(/larger/);
    expect((await listContacts(db)).total).toBe(0);
  });
});

describe("phonebook export", () => {
  it("writes CSV that neutralises formulas, keeps E.164 numbers readable, and imports back unchanged", async () => {
    await createContact(db, {
      external_id: "=HYPERLINK(\"http://evil.example\")",
      first_name: "+SUM(A1)",
      last_name: "-2",
      company: "@cmd",
      notes: 'Line one\nsaid "hi", then left',
      numbers: [
        { type: "work", number: "+3613456789" },
        { type: "work", number: "+3613456788" },
      ],
    });
    const csv = await exportContactsCsv(db);
    expect(csv.startsWith("\uFEFFexternal_id,first_name,last_name,company,email,phone_work")).toBe(true);
    const [, row] = parseCsv(csv);
    expect(row.cells).toEqual([
      "'=HYPERLINK(\"http://evil.example\")",
      "'+SUM(A1)",
      "'-2",
      "'@cmd",
      "",
      "+3613456789 | +3613456788",
      "",
      "",
      "",
      'Line one\nsaid "hi", then left',
    ]);

    await cleanup();
    ({ db, runtimeStore, cleanup } = await createTestDb());
    expect((await importContactsCsv(db, csv, { dryRun: false })).created).toBe(1);
    expect((await listContacts(db)).items[0]).toMatchObject({ external_id: '=HYPERLINK("http://evil.example")', first_name: "+SUM(A1)", company: "@cmd" });
  });

  it("writes vCard 3.0 with escaped text, phone types and folded long lines", async () => {
    const contact = await createContact(db, { ...varga, notes: "a;b,c\\d\n" + "é".repeat(60) });
    const card = contactVcard(contact);
    const lines = card.split("\r\n");
    expect(lines[0]).toBe("BEGIN:VCARD");
    expect(lines).toContain("N:Varga;László;;;");
    expect(lines).toContain("ORG:Varga és Társa Bt.");
    expect(lines).toContain("TEL;TYPE=CELL,VOICE:+36301112233");
    expect(lines.find((l) => l.startsWith("NOTE:"))).toMatch(/^NOTE:a\\;b\\,c\\\\d\\né/);
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    // Unfolding restores the note line.
    expect(card.replace(/\r\n /g, "")).toContain("NOTE:a\\;b\\,c\\\\d\\n" + "é".repeat(60));
    expect(await exportContactsVcard(db)).toBe(card);
  });
});

describe("search columns", () => {
  it("are filled in at start-up for contacts stored before they existed", async () => {
    await db.insert(phonebookContacts).values({ id: "con_old", firstName: "Ödön", lastName: "Kálmán", company: "Régi Kft." });
    expect((await listContacts(db, { search: "kalman" })).total).toBe(0);
    expect(await backfillContactSearch(db)).toBe(1);
    expect((await listContacts(db, { search: "kalman odon" })).items.map((c) => c.id)).toEqual(["con_old"]);
    expect(await backfillContactSearch(db)).toBe(0);
  });
});
