/**
 * Tests seed with the SQLite services, then run PostgreSQL code on the same organisation: they copy with the
 * product's own `db copy` implementation (kept importable from here, where the PostgreSQL tests already look).
 */
export { copySqliteToPostgres } from "@/server/db/sqliteToPostgres";
