ALTER TABLE `runtime_instances` ADD `heartbeat_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runtime_instances` ADD `lookup_breakers` text;