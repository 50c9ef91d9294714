CREATE TABLE `audio_prompts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`original_file_name` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`duration_ms` integer,
	`sha256` text NOT NULL,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audio_prompts_name_idx` ON `audio_prompts` (`name`);