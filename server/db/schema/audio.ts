import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./core";

/**
 * The audio prompt library: recordings admins upload for flow prompts
 * (`audio_id` in a prompt or a play node). The file itself lives in the data
 * folder as `audio/<id>.<wav|mp3>`; this row is its metadata.
 */
export const audioPrompts = sqliteTable(
  "audio_prompts",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The uploaded file's name, sanitised: shown to admins, never used as a path. */
    originalFileName: text("original_file_name").notNull(),
    /** Decided from the file's bytes (audio/wav or audio/mpeg), not from what the browser claimed. */
    contentType: text("content_type", { enum: ["audio/wav", "audio/mpeg"] }).notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    /** Exact for WAV, estimated for MP3, null when it cannot be told. */
    durationMs: integer("duration_ms"),
    sha256: text("sha256").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index("audio_prompts_name_idx").on(t.name)],
);
