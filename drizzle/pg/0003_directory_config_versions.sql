-- Hand-written (PostgreSQL only): change counters for what the call runtime keeps in memory on PostgreSQL
-- (server/runtime/pgDirectory.ts): 'directory' (extensions, forwarding, DIDs, queues, agents, their users, audio
-- prompt lengths) and 'phonebook' (caller names). SQLite needs neither: its directory reads the tables per call.
-- FOR EACH STATEMENT (the 0001 function serves both levels): a phonebook import of thousands of rows bumps the
-- counter once, not once a row — only "changed or not" matters to the snapshot.
INSERT INTO "config_versions" ("topic", "version") VALUES ('directory', 1), ('phonebook', 1);
--> statement-breakpoint
DO $$
DECLARE
  watched record;
BEGIN
  FOR watched IN
    SELECT * FROM (VALUES
      ('users', 'directory'), ('extensions', 'directory'), ('forwarding_rules', 'directory'), ('phone_numbers', 'directory'),
      ('queues', 'directory'), ('queue_members', 'directory'), ('agents', 'directory'), ('audio_prompts', 'directory'),
      ('phonebook_contacts', 'phonebook'), ('phonebook_numbers', 'phonebook')
    ) AS t(table_name, topic)
  LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version"(%L)',
      watched.table_name || '_' || watched.topic || '_changed', watched.table_name, watched.topic
    );
  END LOOP;
END;
$$;
