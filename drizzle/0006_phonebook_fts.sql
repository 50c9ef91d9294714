-- Phonebook search by index instead of a LIKE scan over every contact.
-- Trigram FTS5 indexes answer substring queries of 3+ characters ("ács" inside "kovács").
-- External content: the text lives only in the tables; triggers keep the indexes in step with every write
-- (services, import, demo, raw SQL). case_sensitive 1: search_text is already folded in JS, so matching is exact,
-- like the LIKE it replaces. The contacts' rowid is implicit, but VACUUM keeps it (rowid tables are copied as they are).
CREATE VIRTUAL TABLE `phonebook_contacts_fts` USING fts5(search_text, content='phonebook_contacts', content_rowid='rowid', tokenize='trigram case_sensitive 1');
--> statement-breakpoint
CREATE TRIGGER `phonebook_contacts_fts_insert` AFTER INSERT ON `phonebook_contacts` BEGIN
  INSERT INTO `phonebook_contacts_fts` (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
--> statement-breakpoint
CREATE TRIGGER `phonebook_contacts_fts_delete` AFTER DELETE ON `phonebook_contacts` BEGIN
  INSERT INTO `phonebook_contacts_fts` (`phonebook_contacts_fts`, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
--> statement-breakpoint
CREATE TRIGGER `phonebook_contacts_fts_update` AFTER UPDATE OF search_text ON `phonebook_contacts` BEGIN
  INSERT INTO `phonebook_contacts_fts` (`phonebook_contacts_fts`, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO `phonebook_contacts_fts` (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
--> statement-breakpoint
INSERT INTO `phonebook_contacts_fts` (`phonebook_contacts_fts`) VALUES ('rebuild');
--> statement-breakpoint
-- Stored numbers are E.164 ("+36301112233"): typed digits are found anywhere inside them.
CREATE VIRTUAL TABLE `phonebook_numbers_fts` USING fts5(number, content='phonebook_numbers', content_rowid='rowid', tokenize='trigram case_sensitive 1');
--> statement-breakpoint
CREATE TRIGGER `phonebook_numbers_fts_insert` AFTER INSERT ON `phonebook_numbers` BEGIN
  INSERT INTO `phonebook_numbers_fts` (rowid, number) VALUES (new.rowid, new.number);
END;
--> statement-breakpoint
CREATE TRIGGER `phonebook_numbers_fts_delete` AFTER DELETE ON `phonebook_numbers` BEGIN
  INSERT INTO `phonebook_numbers_fts` (`phonebook_numbers_fts`, rowid, number) VALUES ('delete', old.rowid, old.number);
END;
--> statement-breakpoint
CREATE TRIGGER `phonebook_numbers_fts_update` AFTER UPDATE OF number ON `phonebook_numbers` BEGIN
  INSERT INTO `phonebook_numbers_fts` (`phonebook_numbers_fts`, rowid, number) VALUES ('delete', old.rowid, old.number);
  INSERT INTO `phonebook_numbers_fts` (rowid, number) VALUES (new.rowid, new.number);
END;
--> statement-breakpoint
INSERT INTO `phonebook_numbers_fts` (`phonebook_numbers_fts`) VALUES ('rebuild');
