CREATE TABLE "sip_trunk_registrations" (
	"trunk_id" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"expires_at" text,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sip_trunks" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"addresses" text NOT NULL,
	"proxy" text,
	"username" text,
	"sealed_password" text,
	"dids" text NOT NULL,
	"outbound" boolean DEFAULT false NOT NULL,
	"caller_id_number" text,
	"created_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL,
	"updated_at" text DEFAULT to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sip_trunk_registrations" ADD CONSTRAINT "sip_trunk_registrations_trunk_id_sip_trunks_id_fk" FOREIGN KEY ("trunk_id") REFERENCES "public"."sip_trunks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sip_trunks_name_unique" ON "sip_trunks" USING btree (lower("name"));--> statement-breakpoint
INSERT INTO "config_versions" ("topic", "version") VALUES ('sip_trunks', 1);
--> statement-breakpoint
CREATE TRIGGER "sip_trunks_changed" AFTER INSERT OR UPDATE OR DELETE ON "sip_trunks"
  FOR EACH ROW EXECUTE FUNCTION "bump_config_version"('sip_trunks');
