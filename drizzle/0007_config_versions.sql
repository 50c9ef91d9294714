-- Change counters for configuration the runtime caches (server/db/configVersions.ts).
-- Triggers bump the counter in the transaction of the change, whoever writes: a service in any
-- Next bundle, the CLI, another process or a hand edit, so no writer can forget to "invalidate".
CREATE TABLE `config_versions` (
	`topic` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `config_versions` (`topic`, `version`) VALUES ('outbound_apis', 1);
--> statement-breakpoint
CREATE TRIGGER `outbound_apis_changed_insert` AFTER INSERT ON `outbound_apis` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'outbound_apis';
END;
--> statement-breakpoint
CREATE TRIGGER `outbound_apis_changed_update` AFTER UPDATE ON `outbound_apis` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'outbound_apis';
END;
--> statement-breakpoint
CREATE TRIGGER `outbound_apis_changed_delete` AFTER DELETE ON `outbound_apis` BEGIN
  UPDATE `config_versions` SET `version` = `version` + 1 WHERE `topic` = 'outbound_apis';
END;
