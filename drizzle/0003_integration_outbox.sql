CREATE TABLE `call_data_requests` (
	`conversation_id` text NOT NULL,
	`outbound_api_id` text NOT NULL,
	`node_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`conversation_id`, `outbound_api_id`),
	FOREIGN KEY (`outbound_api_id`) REFERENCES `outbound_apis`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`outbound_api_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`expires_at` integer,
	`last_status_code` integer,
	`last_error_class` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `integration_messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`outbound_api_id`) REFERENCES `outbound_apis`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_due_idx` ON `deliveries` (`outbound_api_id`,`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_status_idx` ON `deliveries` (`status`,`lease_until`);--> statement-breakpoint
CREATE INDEX `deliveries_api_created_idx` ON `deliveries` (`outbound_api_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` text NOT NULL,
	`attempt_no` integer NOT NULL,
	`started_at` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`status_code` integer,
	`error_class` text,
	`error` text,
	`response_body` text,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_delivery_idx` ON `delivery_attempts` (`delivery_id`);--> statement-breakpoint
CREATE TABLE `integration_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`event_type` text NOT NULL,
	`conversation_id` text,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `integration_messages_conversation_idx` ON `integration_messages` (`conversation_id`);--> statement-breakpoint
CREATE TABLE `outbound_apis` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`config` text NOT NULL,
	`credentials_encrypted` text,
	`signing_secret_encrypted` text NOT NULL,
	`previous_signing_secret_encrypted` text,
	`previous_signing_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
