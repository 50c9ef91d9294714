CREATE TABLE `api_rate_buckets` (
	`technical_user_id` text PRIMARY KEY NOT NULL,
	`tokens` real NOT NULL,
	`refilled_at_ms` integer NOT NULL,
	`granted` integer NOT NULL,
	FOREIGN KEY (`technical_user_id`) REFERENCES `technical_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_failures_key_at_idx` ON `login_failures` (`key`,`at`);--> statement-breakpoint
CREATE INDEX `login_failures_expires_idx` ON `login_failures` (`expires_at`);--> statement-breakpoint
ALTER TABLE `open_calls` ADD `live_view` text;