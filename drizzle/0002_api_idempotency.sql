CREATE TABLE `api_idempotency_keys` (
	`technical_user_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`technical_user_id`, `key`),
	FOREIGN KEY (`technical_user_id`) REFERENCES `technical_users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `api_idempotency_keys_created_idx` ON `api_idempotency_keys` (`created_at`);