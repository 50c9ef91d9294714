-- Hand-written: what SQLite's migrations 0006 (FTS5 phonebook search) and 0007 (config_versions triggers)
-- do in SQL of their own, as PostgreSQL does it. The tables themselves come from the shared declarations (0000).

-- Phonebook search (SQLite 0006: FTS5 trigram tables kept in step by triggers). pg_trgm's GIN indexes answer
-- `search_text LIKE '%ács%'` (substrings of 3+ characters) from the index and are maintained by PostgreSQL itself.
-- LIKE is case-sensitive, as FTS5's `case_sensitive 1`: search_text and the query are already folded in JS.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX "phonebook_contacts_search_trgm_idx" ON "phonebook_contacts" USING gin ("search_text" gin_trgm_ops);
--> statement-breakpoint
-- Stored numbers are E.164 ("+36301112233"): typed digits are found anywhere inside them.
CREATE INDEX "phonebook_numbers_number_trgm_idx" ON "phonebook_numbers" USING gin ("number" gin_trgm_ops);
--> statement-breakpoint
-- The phonebook lists in sort_key order; byte order, as SQLite's BINARY collation, whatever the database's locale.
ALTER TABLE "phonebook_contacts" ALTER COLUMN "sort_key" SET DATA TYPE text COLLATE "C";
--> statement-breakpoint

-- Change counters for configuration the runtime caches (server/db/configVersions.ts, SQLite 0007). Triggers bump
-- the counter in the transaction of the change, whoever writes, and notify the topic: listeners in every process
-- hear it when the transaction commits (server/db/README.md).
INSERT INTO "config_versions" ("topic", "version") VALUES ('outbound_apis', 1);
--> statement-breakpoint
CREATE FUNCTION "bump_config_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "config_versions" SET "version" = "version" + 1 WHERE "topic" = TG_ARGV[0];
  PERFORM pg_notify('config_versions', TG_ARGV[0]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- FOR EACH ROW, as SQLite's triggers: the counter moves by the same amount on both backends.
CREATE TRIGGER "outbound_apis_changed" AFTER INSERT OR UPDATE OR DELETE ON "outbound_apis"
  FOR EACH ROW EXECUTE FUNCTION "bump_config_version"('outbound_apis');
