ALTER TABLE `phonebook_contacts` ADD `search_text` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `phonebook_contacts` ADD `sort_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `phonebook_sort_idx` ON `phonebook_contacts` (`sort_key`,`id`);