-- Hand-written (PostgreSQL only): a change counter for the extensions' SIP passwords, which the SIP edge keeps in
-- memory on PostgreSQL (server/runtime/sipEdgeData.ts; its registrar asks synchronously during a REGISTER). The
-- extension numbers and their enabled flag are already counted as 'directory' (0003); trunks as 'sip_trunks' (0002).
-- SQLite needs neither: its registrar reads the tables per REGISTER.
INSERT INTO "config_versions" ("topic", "version") VALUES ('sip_credentials', 1);
--> statement-breakpoint
CREATE TRIGGER "sip_credentials_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sip_credentials"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_config_version"('sip_credentials');
