-- Hand-written (PostgreSQL only): change counters for what the call runtime keeps in memory on PostgreSQL
-- (server/runtime/pgDirectory.ts): 'directory' (extensions, forwarding, DIDs, queues, agents, their users, audio
-- prompt lengths) and 'phonebook' (caller names). SQLite needs neither: its directory reads the tables per call.
-- FOR EACH STATEMENT: a phonebook import of thousands of rows bumps the counter once, not once a row — only
-- "changed or not" matters to the snapshot.
INSERT INTO "config_versions" ("topic", "version") VALUES ('directory', 1), ('phonebook', 1);
--> statement-breakpoint
CREATE FUNCTION "bump_config_version_per_statement"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "config_versions" SET "version" = "version" + 1 WHERE "topic" = TG_ARGV[0];
  PERFORM pg_notify('config_versions', TG_ARGV[0]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "users_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "extensions_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "extensions"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "forwarding_rules_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "forwarding_rules"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "phone_numbers_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "phone_numbers"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "queues_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "queues"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "queue_members_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "queue_members"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "agents_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "agents"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "audio_prompts_directory_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "audio_prompts"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('directory');
--> statement-breakpoint
CREATE TRIGGER "phonebook_contacts_phonebook_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "phonebook_contacts"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('phonebook');
--> statement-breakpoint
CREATE TRIGGER "phonebook_numbers_phonebook_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "phonebook_numbers"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version_per_statement"('phonebook');
