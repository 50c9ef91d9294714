import { asc, count, eq, inArray, sql, type SQL } from "drizzle-orm";
import { AsYouType, type CountryCode } from "libphonenumber-js/min";
import { ZodError } from "zod";
import { isPostgres, type Db } from "../db/client";
import { affectedRows, transaction } from "../db/transaction";
import { phonebookContacts, phonebookNumbers } from "../db/schema";
import { getConfig } from "../config";
import { newId } from "@/lib/ids";
import { toE164 } from "@/lib/phone";
import { CsvError, parseCsv, restoreNeutralisedFormula, toCsv } from "@/lib/csv";
import {
  contactInputSchema,
  contactListQuerySchema,
  contactNumberTypes,
  type ContactInput,
  type ContactListQuery,
  type ContactNumberType,
} from "@/lib/schemas/operations";
import { ServiceError, isUniqueViolation, notFound } from "./errors";

/** A phonebook contact as API.md shapes it, plus `version` (the ETag) and timestamps. */
export interface ContactView {
  id: string;
  external_id: string | null;
  first_name: string;
  last_name: string;
  company: string;
  email: string;
  numbers: { type: ContactNumberType; number: string }[];
  notes: string;
  version: number;
  created_at: string;
  updated_at: string;
}

type ContactData = Omit<ContactView, "id" | "version" | "created_at" | "updated_at">;

const externalIdTaken = () =>
  new ServiceError("conflict", "Another contact already has this external_id", { field: "external_id", messageKey: "operations.errors.externalIdTaken" });

const changedElsewhere = () =>
  new ServiceError("precondition_failed", "The contact was changed by someone else since it was read", {
    messageKey: "operations.errors.changedElsewhere",
  });

// ── search ─────────────────────────────────────────────────────────────

/** Case- and accent-insensitive text, so "kovacs" finds "Kovács". */
export function foldText(value: string): string {
  return value.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/** The stored search and sort texts of a contact (one place for every write: services, import, demo). */
export function contactSearchColumns(contact: { first_name: string; last_name: string; company: string; email: string }) {
  const { first_name: first, last_name: last, company, email } = contact;
  return {
    searchText: foldText(`${first} ${last} | ${last} ${first} | ${company} | ${email}`),
    sortKey: foldText(last === "" && first === "" ? company : `${last} ${first}`),
  };
}

/** Start-up: contacts written before the search columns existed get them once. */
export async function backfillContactSearch(db: Db): Promise<number> {
  const rows = await db
    .select({ id: phonebookContacts.id, first_name: phonebookContacts.firstName, last_name: phonebookContacts.lastName, company: phonebookContacts.company, email: phonebookContacts.email })
    .from(phonebookContacts)
    .where(sql`${phonebookContacts.searchText} = '' and ${phonebookContacts.sortKey} = ''`);
  await transaction(db, async (tx) => {
    for (const row of rows) await tx.update(phonebookContacts).set(contactSearchColumns(row)).where(eq(phonebookContacts.id, row.id));
  });
  return rows.length;
}

const likeEscape = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The digit strings a typed number may appear as in stored E.164 numbers:
 * as typed ("1112233" inside "+36301112233"), and read as a (partial)
 * national or international number ("06 30 111" → "3630111").
 */
export function numberSearchDigits(search: string, region: string): string[] {
  const digits = search.replace(/\D/g, "");
  if (digits.length < 3 || /[\p{L}]/u.test(search)) return [];
  const typing = new AsYouType(region as CountryCode);
  typing.input(search.replace(/[^\d+]/g, ""));
  const asNumber = (typing.getNumberValue() ?? "").replace(/\D/g, "");
  return [...new Set([digits, asNumber].filter((d) => d.length >= 3))];
}

/** An FTS5 query matching `text` anywhere, as a literal: one quoted phrase, so quotes, `*`, `-`, `OR`, `NEAR(`, `col:` are just characters. */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Whether a folded query can be answered by a trigram index: the tokenizer
 * matches 3+ characters (code points, not UTF-16 units), and a NUL would end
 * the FTS5 query string early.
 */
const indexable = (folded: string) => [...folded].length >= 3 && !folded.includes("\0");

/** A search as a statement shape (`key`, one prepared statement each) and the values it binds. */
interface ContactSearch {
  key: string;
  where: SQL | undefined;
  params: Record<string, string>;
}

/**
 * Contacts whose search text contains the folded query, whose external id is
 * the query, or (for 3+ digits and no letters) with a number containing one
 * of the digit strings. On SQLite substrings of 3+ characters are looked up in the
 * trigram indexes of migration 0006 (kept in step by triggers); shorter ones
 * scan the contacts with LIKE, which the indexes cannot answer. On PostgreSQL
 * the same LIKE is served by the pg_trgm indexes (`pgContactSearch`). Values are
 * placeholders, so each shape is built and prepared once.
 */
function contactSearch(db: Db, search: string, region: string): ContactSearch {
  if (!search) return { key: "all", where: undefined, params: {} };
  if (isPostgres(db)) return pgContactSearch(search, region);
  const folded = foldText(search);
  const byIndex = indexable(folded);
  const c = phonebookContacts;
  // Table names spelled out: inside a subquery, unqualified columns would bind to the inner table.
  const textMatch = byIndex
    ? sql`"phonebook_contacts".rowid in (select rowid from phonebook_contacts_fts where phonebook_contacts_fts match ${sql.placeholder("text")})`
    : sql`${c.searchText} like ${sql.placeholder("text")} escape '\\'`;
  const text = sql`(${textMatch} or ${c.externalId} = ${sql.placeholder("search")})`;
  const params = { text: byIndex ? ftsPhrase(folded) : `%${likeEscape(folded)}%`, search };
  const digitPatterns = numberSearchDigits(search, region); // each 3+ digits: always indexable
  if (digitPatterns.length === 0) return { key: byIndex ? "index" : "scan", where: text, params };
  return {
    key: byIndex ? "index+numbers" : "scan+numbers",
    where: sql`(${text} or "phonebook_contacts"."id" in (select n.contact_id from phonebook_numbers n where n.rowid in (select rowid from phonebook_numbers_fts where phonebook_numbers_fts match ${sql.placeholder("numbers")})))`,
    params: { ...params, numbers: digitPatterns.map(ftsPhrase).join(" OR ") },
  };
}

/**
 * PostgreSQL's form of `contactSearch` (drizzle/pg/0001: pg_trgm GIN indexes on the folded text and the numbers):
 * LIKE for any length, which gives FTS5's results (compared on a generated phonebook in server/db/postgres.test.ts).
 * PostgreSQL text cannot hold NUL, so it is dropped from the query.
 */
function pgContactSearch(search: string, region: string): ContactSearch {
  const typed = search.replaceAll("\0", "");
  const c = phonebookContacts;
  const text = sql`(${c.searchText} like ${sql.placeholder("text")} escape '\\' or ${c.externalId} = ${sql.placeholder("search")})`;
  const params: Record<string, string> = { text: `%${likeEscape(foldText(typed))}%`, search: typed };
  const digitPatterns = numberSearchDigits(typed, region);
  if (digitPatterns.length === 0) return { key: "pg", where: text, params };
  digitPatterns.forEach((digits, i) => (params[`number${i}`] = `%${digits}%`));
  const numberMatch = sql.join(
    digitPatterns.map((_, i) => sql`${phonebookNumbers.number} like ${sql.placeholder(`number${i}`)}`),
    sql` or `,
  );
  return {
    key: `pg+numbers${digitPatterns.length}`,
    where: sql`(${text} or ${c.id} in (select ${phonebookNumbers.contactId} from ${phonebookNumbers} where ${numberMatch}))`,
    params,
  };
}

function searchStatements(db: Db, where: SQL | undefined) {
  return {
    count: db.select({ n: count() }).from(phonebookContacts).where(where).prepare(),
    // No page: the largest limit both dialects accept (SQLite's -1 is an error on PostgreSQL).
    page: db
      .select()
      .from(phonebookContacts)
      .where(where)
      .orderBy(asc(phonebookContacts.sortKey), asc(phonebookContacts.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"))
      .prepare(),
  };
}

const preparedSearches = new WeakMap<Db, Map<string, ReturnType<typeof searchStatements>>>();

/** The prepared count and page statements of a search's shape on this connection. */
function statementsFor(db: Db, search: ContactSearch): ReturnType<typeof searchStatements> {
  let byShape = preparedSearches.get(db);
  if (!byShape) preparedSearches.set(db, (byShape = new Map()));
  let statements = byShape.get(search.key);
  if (!statements) byShape.set(search.key, (statements = searchStatements(db, search.where)));
  return statements;
}

type ContactRow = typeof phonebookContacts.$inferSelect;

/** The contacts matching `search` in list order (sort key, then id); all of them without `page`. */
async function searchContacts(db: Db, search: ContactSearch, page: { limit: number; offset: number } | null): Promise<ContactView[]> {
  return withNumbers(db, await statementsFor(db, search).page.execute({ ...search.params, limit: page?.limit ?? Number.MAX_SAFE_INTEGER, offset: page?.offset ?? 0 }));
}

async function withNumbers(db: Db, rows: ContactRow[]): Promise<ContactView[]> {
  if (rows.length === 0) return [];
  const numbers = await db
    .select()
    .from(phonebookNumbers)
    .where(
      inArray(
        phonebookNumbers.contactId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(phonebookNumbers.contactId), asc(phonebookNumbers.position));
  const byContact = new Map<string, typeof numbers>();
  for (const n of numbers) byContact.set(n.contactId, [...(byContact.get(n.contactId) ?? []), n]);
  return rows.map((row) => ({
    id: row.id,
    external_id: row.externalId,
    first_name: row.firstName,
    last_name: row.lastName,
    company: row.company,
    email: row.email,
    numbers: (byContact.get(row.id) ?? []).map((n) => ({ type: n.type, number: n.number })),
    notes: row.notes,
    version: row.version,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }));
}

/** API.md list convention: `{items, total}`; `search` matches names, company, e-mail, external id and any number. */
export async function listContacts(db: Db, query: ContactListQuery = {}): Promise<{ items: ContactView[]; total: number }> {
  const { search, limit, offset } = contactListQuerySchema.parse(query);
  const matching = contactSearch(db, search, getConfig().DEFAULT_REGION);
  const [counted] = await statementsFor(db, matching).count.execute(matching.params);
  return { items: await searchContacts(db, matching, { limit, offset }), total: counted!.n };
}

export async function getContact(db: Db, id: string): Promise<ContactView> {
  const [contact] = await withNumbers(db, await db.select().from(phonebookContacts).where(eq(phonebookContacts.id, id)));
  if (!contact) throw notFound("Contact", id);
  return contact;
}

// ── changes ────────────────────────────────────────────────────────────

/** Validates and normalises a contact: every number to E.164 (duplicates dropped), or an error naming the bad number. */
export function normaliseContact(input: ContactInput, region: string = getConfig().DEFAULT_REGION): ContactData {
  const data = contactInputSchema.parse(input);
  const numbers: ContactData["numbers"] = [];
  data.numbers.forEach((entry, index) => {
    const number = toE164(entry.number, region);
    if (!number) {
      throw new ServiceError("invalid", `${entry.number} is not a valid phone number`, {
        field: `numbers.${index}.number`,
        messageKey: "operations.errors.phoneNumber",
      });
    }
    if (!numbers.some((n) => n.number === number)) numbers.push({ type: entry.type, number });
  });
  return { ...data, numbers };
}

async function writeNumbers(db: Db, contactId: string, numbers: ContactData["numbers"]): Promise<void> {
  await db.delete(phonebookNumbers).where(eq(phonebookNumbers.contactId, contactId));
  for (const [position, n] of numbers.entries()) await db.insert(phonebookNumbers).values({ contactId, position, type: n.type, number: n.number });
}

function columnsOf(data: ContactData) {
  return {
    externalId: data.external_id,
    firstName: data.first_name,
    lastName: data.last_name,
    company: data.company,
    email: data.email,
    notes: data.notes,
    ...contactSearchColumns(data),
  };
}

async function insertContact(db: Db, data: ContactData): Promise<string> {
  const id = newId("contact");
  await db.insert(phonebookContacts).values({ id, ...columnsOf(data) });
  await writeNumbers(db, id, data.numbers);
  return id;
}

/** Replaces a contact; with `ifVersion`, only if nobody changed it since that version was read (else precondition_failed). */
async function replaceContact(db: Db, id: string, data: ContactData, ifVersion?: number): Promise<void> {
  const versionMatches = ifVersion === undefined ? sql`1 = 1` : sql`${phonebookContacts.version} = ${ifVersion}`;
  const result = await db
    .update(phonebookContacts)
    .set({ ...columnsOf(data), version: sql`${phonebookContacts.version} + 1`, updatedAt: new Date().toISOString() })
    .where(sql`${phonebookContacts.id} = ${id} and ${versionMatches}`);
  if (affectedRows(result) === 0) {
    if (!(await db.select({ id: phonebookContacts.id }).from(phonebookContacts).where(eq(phonebookContacts.id, id)).limit(1))[0]) throw notFound("Contact", id);
    throw changedElsewhere();
  }
  await writeNumbers(db, id, data.numbers);
}

async function uniqueExternalId<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw externalIdTaken();
    throw error;
  }
}

export async function createContact(db: Db, input: ContactInput): Promise<ContactView> {
  const data = normaliseContact(input);
  const id = await uniqueExternalId(() => transaction(db, (tx) => insertContact(tx, data)));
  return getContact(db, id);
}

export async function updateContact(db: Db, id: string, input: ContactInput, options: { ifVersion?: number } = {}): Promise<ContactView> {
  const data = normaliseContact(input);
  await uniqueExternalId(() => transaction(db, (tx) => replaceContact(tx, id, data, options.ifVersion)));
  return getContact(db, id);
}

export async function deleteContact(db: Db, id: string, options: { ifVersion?: number } = {}): Promise<void> {
  const versionMatches = options.ifVersion === undefined ? sql`1 = 1` : sql`${phonebookContacts.version} = ${options.ifVersion}`;
  const result = await db.delete(phonebookContacts).where(sql`${phonebookContacts.id} = ${id} and ${versionMatches}`);
  if (affectedRows(result) === 0) {
    await getContact(db, id); // throws not_found when it is gone
    throw changedElsewhere();
  }
}

// ── export ─────────────────────────────────────────────────────────────

const csvNumberColumns = contactNumberTypes.map((type) => `phone_${type}` as const);
export const contactCsvHeader = ["external_id", "first_name", "last_name", "company", "email", ...csvNumberColumns, "notes"] as const;

/** Several numbers of one type share a cell, separated by this. */
const numberSeparator = " | ";

/** The phonebook (or the contacts matching `search`) as CSV, in the same columns the import reads. UTF-8 with a BOM so Excel shows accents. */
export async function exportContactsCsv(db: Db, search = ""): Promise<string> {
  const contacts = await searchContacts(db, contactSearch(db, search.trim(), getConfig().DEFAULT_REGION), null);
  const rows = contacts.map((c) => [
    c.external_id,
    c.first_name,
    c.last_name,
    c.company,
    c.email,
    ...contactNumberTypes.map((type) =>
      c.numbers
        .filter((n) => n.type === type)
        .map((n) => n.number)
        .join(numberSeparator),
    ),
    c.notes,
  ]);
  return "\uFEFF" + toCsv([[...contactCsvHeader], ...rows]);
}

/** vCard 3.0 text value: backslash, comma, semicolon and line breaks escaped. */
function vcardText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\r\n|\r|\n/g, "\\n").replace(/,/g, "\\,").replace(/;/g, "\\;");
}

/** Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 character. */
function foldVcardLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

const vcardPhoneTypes: Record<ContactNumberType, string> = { work: "WORK,VOICE", mobile: "CELL,VOICE", home: "HOME,VOICE", other: "VOICE" };

export function contactVcard(contact: ContactView): string {
  const fullName = `${contact.first_name} ${contact.last_name}`.trim() || contact.company;
  const lines = [
    "BEGIN:VCARD",
    "VERSION:3.0",
    `UID:${vcardText(contact.id)}`,
    `FN:${vcardText(fullName)}`,
    `N:${vcardText(contact.last_name)};${vcardText(contact.first_name)};;;`,
    ...(contact.company ? [`ORG:${vcardText(contact.company)}`] : []),
    ...(contact.email ? [`EMAIL;TYPE=INTERNET:${vcardText(contact.email)}`] : []),
    ...contact.numbers.map((n) => `TEL;TYPE=${vcardPhoneTypes[n.type]}:${n.number}`),
    ...(contact.notes ? [`NOTE:${vcardText(contact.notes)}`] : []),
    ...(contact.external_id ? [`X-SWITCHBOARD-EXTERNAL-ID:${vcardText(contact.external_id)}`] : []),
    "END:VCARD",
  ];
  return lines.map(foldVcardLine).join("\r\n") + "\r\n";
}

export async function exportContactsVcard(db: Db, search = ""): Promise<string> {
  return (await searchContacts(db, contactSearch(db, search.trim(), getConfig().DEFAULT_REGION), null)).map(contactVcard).join("");
}

// ── import ─────────────────────────────────────────────────────────────

export const importLimits = { maxChars: 2 * 1024 * 1024, maxRows: 5000 };

export interface ImportRowError {
  field: string;
  /** An i18n key the portal translates; `message` is the English text for API users and logs. */
  messageKey: string;
  message: string;
}

export interface ImportRow {
  line: number;
  action: "create" | "update" | "error";
  /** The normalised contact (create/update) or what the row said (error). */
  name: string;
  numbers: string[];
  errors: ImportRowError[];
}

export interface ImportResult {
  rows: ImportRow[];
  created: number;
  updated: number;
  failed: number;
  ignoredColumns: string[];
}

type CsvField = "external_id" | "first_name" | "last_name" | "company" | "email" | "notes" | `phone_${ContactNumberType}`;

/** Header names understood, compared folded and without spaces, dashes or underscores; English and Hungarian. */
const headerAliases: Record<string, CsvField> = {};
const aliasList: Array<[CsvField, string[]]> = [
  ["external_id", ["externalid", "kulsoazonosito", "crmid"]],
  ["first_name", ["firstname", "first", "givenname", "keresztnev", "utonev"]],
  ["last_name", ["lastname", "last", "surname", "familyname", "vezeteknev", "csaladnev"]],
  ["company", ["company", "organisation", "organization", "ceg", "cegnev"]],
  ["email", ["email", "emailaddress", "mail", "emailcim"]],
  ["notes", ["notes", "note", "megjegyzes", "megjegyzesek"]],
  ["phone_work", ["phonework", "workphone", "work", "munkahelyi", "munkahelyitelefon"]],
  ["phone_mobile", ["phonemobile", "mobilephone", "mobile", "cell", "mobil", "mobiltelefon"]],
  ["phone_home", ["phonehome", "homephone", "home", "otthoni", "otthonitelefon"]],
  ["phone_other", ["phoneother", "otherphone", "other", "phone", "telefon", "telefonszam", "egyeb"]],
];
for (const [field, aliases] of aliasList) for (const alias of aliases) headerAliases[alias] = field;

const headerKey = (cell: string) => foldText(cell).replace(/[^a-z0-9]/g, "");

function rowErrorsOf(error: unknown): ImportRowError[] {
  if (error instanceof ServiceError) return [{ field: error.options.field ?? "", messageKey: error.options.messageKey ?? "errors.generic", message: error.message }];
  if (error instanceof ZodError) {
    return error.issues.map((issue) => {
      const field = issue.path.join(".");
      const messageKey = /^(operations\.)?errors\./.test(issue.message)
        ? issue.message
        : issue.code === "too_big"
          ? "operations.errors.tooLong"
          : "operations.errors.invalidValue";
      return { field, messageKey, message: `${field}: ${issue.message}` };
    });
  }
  throw error;
}

/** What a CSV row says, as contact input: number cells may hold several numbers separated by `|`, `;` or `,`. */
function rowInput(cells: string[], columns: Array<CsvField | null>): ContactInput {
  const input = { numbers: [] as { type: ContactNumberType; number: string }[] } as Record<string, unknown> & { numbers: { type: ContactNumberType; number: string }[] };
  columns.forEach((field, index) => {
    const value = restoreNeutralisedFormula((cells[index] ?? "").trim());
    if (!field || value === "") return;
    if (field.startsWith("phone_")) {
      const type = field.slice("phone_".length) as ContactNumberType;
      for (const number of value.split(/[|;,]/).map((n) => n.trim()).filter(Boolean)) input.numbers.push({ type, number });
    } else {
      input[field] = value;
    }
  });
  return input as ContactInput;
}

/**
 * Reads a phonebook CSV (the export's columns, or common English/Hungarian
 * header names) and, unless `dryRun`, stores every good row in one
 * transaction: rows whose `external_id` exists update that contact, others
 * create one. Bad rows are reported with their line and field and skipped.
 * The file is untrusted: size and row caps, strict quoting.
 */
export async function importContactsCsv(db: Db, text: string, options: { dryRun: boolean }): Promise<ImportResult> {
  if (text.length > importLimits.maxChars) {
    throw new ServiceError("invalid", `The file is larger than ${importLimits.maxChars / 1024 / 1024} MB`, { messageKey: "operations.errors.importTooLarge" });
  }
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new ServiceError("invalid", `Not a readable CSV file (${error.message})`, { messageKey: "operations.errors.importUnreadable" });
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw new ServiceError("invalid", "The file is empty", { messageKey: "operations.errors.importEmpty" });
  if (body.length > importLimits.maxRows) {
    throw new ServiceError("invalid", `The file has more than ${importLimits.maxRows} rows`, { messageKey: "operations.errors.importTooManyRows" });
  }
  const columns = header.cells.map((cell) => headerAliases[headerKey(cell)] ?? null);
  if (!columns.some((c) => c === "first_name" || c === "last_name" || c === "company")) {
    throw new ServiceError("invalid", "The header names no name or company column", { messageKey: "operations.errors.importNoHeader" });
  }
  const ignoredColumns = header.cells.filter((cell, i) => columns[i] === null && cell.trim() !== "");
  const region = getConfig().DEFAULT_REGION;

  const run = async (tx: Db): Promise<ImportResult> => {
    const result: ImportResult = { rows: [], created: 0, updated: 0, failed: 0, ignoredColumns };
    const seenExternalIds = new Map<string, number>();
    for (const record of body) {
      // Spreadsheets append rows of empty cells; they are not mistakes.
      if (record.cells.every((cell) => cell.trim() === "")) continue;
      const input = rowInput(record.cells, columns);
      const rawName = [input.first_name, input.last_name].filter(Boolean).join(" ") || input.company || "";
      let data: ContactData;
      try {
        data = normaliseContact(input, region);
      } catch (error) {
        result.rows.push({ line: record.line, action: "error", name: rawName, numbers: (input.numbers ?? []).map((n) => n.number), errors: rowErrorsOf(error) });
        result.failed++;
        continue;
      }
      const name = `${data.first_name} ${data.last_name}`.trim() || data.company;
      const numbers = data.numbers.map((n) => n.number);
      const earlierLine = data.external_id ? seenExternalIds.get(data.external_id) : undefined;
      if (earlierLine !== undefined) {
        const message = `external_id ${data.external_id} already appears on line ${earlierLine}`;
        result.rows.push({ line: record.line, action: "error", name, numbers, errors: [{ field: "external_id", messageKey: "operations.errors.duplicateInFile", message }] });
        result.failed++;
        continue;
      }
      if (data.external_id) seenExternalIds.set(data.external_id, record.line);
      const existing = data.external_id
        ? (await tx.select({ id: phonebookContacts.id }).from(phonebookContacts).where(eq(phonebookContacts.externalId, data.external_id)).limit(1))[0]
        : undefined;
      if (!options.dryRun) {
        if (existing) await replaceContact(tx, existing.id, data);
        else await insertContact(tx, data);
      }
      result.rows.push({ line: record.line, action: existing ? "update" : "create", name, numbers, errors: [] });
      if (existing) result.updated++;
      else result.created++;
    }
    return result;
  };
  return options.dryRun ? run(db) : transaction(db, run);
}
