CREATE TABLE `agent_state_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`agent_id` text NOT NULL,
	`status` text NOT NULL,
	`pause_reason` text,
	`at` text NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_state_history_agent_at_idx` ON `agent_state_history` (`agent_id`,`at`);--> statement-breakpoint
CREATE TABLE `call_traces` (
	`call_id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`flow_id` text,
	`revision` integer,
	`outcome` text NOT NULL,
	`steps` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `call_traces_conversation_idx` ON `call_traces` (`conversation_id`);--> statement-breakpoint
CREATE TABLE `cdr_extensions` (
	`cdr_id` text NOT NULL,
	`extension` text NOT NULL,
	PRIMARY KEY(`cdr_id`, `extension`),
	FOREIGN KEY (`cdr_id`) REFERENCES `cdrs`(`cdr_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cdr_extensions_extension_idx` ON `cdr_extensions` (`extension`);--> statement-breakpoint
CREATE TABLE `cdrs` (
	`cdr_id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`call_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`is_final` integer NOT NULL,
	`direction` text NOT NULL,
	`disposition` text NOT NULL,
	`caller_number` text NOT NULL,
	`called_number` text NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text NOT NULL,
	`document` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cdrs_conversation_idx` ON `cdrs` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `cdrs_ended_idx` ON `cdrs` (`ended_at`,`cdr_id`);--> statement-breakpoint
CREATE TABLE `open_calls` (
	`call_id` text PRIMARY KEY NOT NULL,
	`snapshot` text NOT NULL,
	`started_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recordings` (
	`code` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`kind` text NOT NULL,
	`mailbox_extension` text,
	`format` text NOT NULL,
	`duration_s` real NOT NULL,
	`size_bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `recordings_conversation_idx` ON `recordings` (`conversation_id`);