ALTER TABLE "runtime_instances" ADD COLUMN "heartbeat_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runtime_instances" ADD COLUMN "lookup_breakers" text;