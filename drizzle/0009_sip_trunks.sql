CREATE TABLE `sip_trunk_registrations` (
	`trunk_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`expires_at` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`trunk_id`) REFERENCES `sip_trunks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sip_trunks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`addresses` text NOT NULL,
	`proxy` text,
	`username` text,
	`sealed_password` text,
	`dids` text NOT NULL,
	`outbound` integer DEFAULT false NOT NULL,
	`caller_id_number` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sip_trunks_name_unique` ON `sip_trunks` (lower("name"));--> statement-breakpoint
INSERT INTO `config_versions` (`topic`, `version`) VALUES ('sip_trunks', 1);
--> statement-breakpoint
CREATE TRIGGER `sip_trunks_changed_insert` AFTER INSERT ON `sip_trunks` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'sip_trunks';
END;
--> statement-breakpoint
CREATE TRIGGER `sip_trunks_changed_update` AFTER UPDATE ON `sip_trunks` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'sip_trunks';
END;
--> statement-breakpoint
CREATE TRIGGER `sip_trunks_changed_delete` AFTER DELETE ON `sip_trunks` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'sip_trunks';
END;
