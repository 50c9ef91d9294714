import type { Dialect } from "./dialect";
import type { CoreTables } from "./core";

export function audioTables(d: Dialect, { users }: Pick<CoreTables, "users">) {
  /**
   * The audio prompt library: recordings admins upload for flow prompts
   * (`audio_id` in a prompt or a play node). The file itself lives in the data
   * folder as `audio/<id>.<wav|mp3>`; this row is its metadata.
   */
  const audioPrompts = d.table(
    "audio_prompts",
    {
      id: d.text("id").primaryKey(),
      name: d.text("name").notNull(),
      /** The uploaded file's name, sanitised: shown to admins, never used as a path. */
      originalFileName: d.text("original_file_name").notNull(),
      /** Decided from the file's bytes (audio/wav or audio/mpeg), not from what the browser claimed. */
      contentType: d.text("content_type", { enum: ["audio/wav", "audio/mpeg"] }).notNull(),
      sizeBytes: d.integer("size_bytes").notNull(),
      /** Exact for WAV, estimated for MP3, null when it cannot be told. */
      durationMs: d.integer("duration_ms"),
      sha256: d.text("sha256").notNull(),
      createdBy: d.text("created_by").references(() => users.id, { onDelete: "set null" }),
      createdAt: d.text("created_at").notNull().default(d.nowIso()),
    },
    (t) => [d.index("audio_prompts_name_idx").on(t.name)],
  );

  return { audioPrompts };
}
