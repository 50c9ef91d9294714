CREATE TABLE "runtime_instances" (
	"id" text PRIMARY KEY NOT NULL,
	"internal_url" text NOT NULL,
	"roles" text NOT NULL,
	"started_at" text NOT NULL,
	"heartbeat_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "open_calls" ADD COLUMN "runtime_id" text;--> statement-breakpoint
CREATE INDEX "open_calls_runtime_idx" ON "open_calls" USING btree ("runtime_id");