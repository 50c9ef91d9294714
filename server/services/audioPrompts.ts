/**
 * The audio prompt library: uploaded recordings that flow prompts play
 * (`audio_id`). Files live in `<DATA_DIR>/audio/<id>.<wav|mp3>`, written to a
 * temporary name and renamed into place, so a crash never leaves half a file
 * under a real id. Uploads are untrusted: the bytes decide the format
 * (server/audio/format.ts); the client's file name is kept for display only.
 *
 * Deleting a prompt that the draft or the published revision of a flow uses
 * is refused (conflict, naming the flows): a caller would otherwise hear
 * nothing. Older revisions do not block it; rolling back to one that needs a
 * deleted prompt fails validation ("audio prompt not found") when published.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { audioPrompts, flowRevisions, flows } from "../db/schema";
import { newId } from "@/lib/ids";
import { inspectAudio, nameFromFileName, sanitizeFileName, type AudioProblem } from "../audio/format";
import { ServiceError, notFound } from "./errors";

export type AudioPrompt = typeof audioPrompts.$inferSelect;

const ID_PATTERN = /^aud_[0-9A-HJKMNP-TV-Z]{26}$/;
const NAME_MAX = 100;

const PROBLEM_MESSAGES: Record<AudioProblem, string> = {
  empty: "The file is empty",
  too_large: "The file is larger than 10 MB",
  unsupported_format: "Only WAV and MP3 files can be uploaded",
  wav_truncated: "The WAV file is cut short (its header promises more audio than it has)",
  wav_invalid: "The file is not a valid WAV file",
  wav_unsupported_encoding: "The WAV file is compressed in a way telephones cannot play; save it as PCM",
  mp3_invalid: "The file is not a valid MP3 file",
};

export function audioDirOf(dataDir: string): string {
  return path.join(dataDir, "audio");
}

function fileOf(audioDir: string, prompt: Pick<AudioPrompt, "id" | "contentType">): string {
  if (!ID_PATTERN.test(prompt.id)) throw new Error("invalid audio prompt id");
  // A runtime data file, not a build asset: the comment keeps Turbopack from tracing the whole project for it.
  return path.join(/* turbopackIgnore: true */ audioDir, `${prompt.id}.${prompt.contentType === "audio/mpeg" ? "mp3" : "wav"}`);
}

export async function listAudioPrompts(db: Db): Promise<AudioPrompt[]> {
  return db.select().from(audioPrompts).orderBy(sql`lower(${audioPrompts.name})`, audioPrompts.id);
}

export async function getAudioPrompt(db: Db, id: string): Promise<AudioPrompt> {
  const [row] = await db.select().from(audioPrompts).where(eq(audioPrompts.id, id)).limit(1);
  if (!row) throw notFound("Audio prompt", id);
  return row;
}

function cleanName(name: string): string {
  if (!name.trim()) throw new ServiceError("invalid", "Enter a name", { field: "name", messageKey: "errors.required" });
  return sanitizeFileName(name).slice(0, NAME_MAX);
}

export interface AudioUpload {
  bytes: Uint8Array;
  /** As the browser sent it; sanitised here and used for display only. */
  fileName: string;
  /** Display name; defaults to the file name without its extension. */
  name?: string;
}

/**
 * Checks and stores an upload. A file that is not real WAV/MP3 is refused with
 * `field: "file"` and `messageKey: "editor.errors.audio.<problem>"`.
 */
export async function createAudioPrompt(db: Db, audioDir: string, upload: AudioUpload, userId: string | null): Promise<AudioPrompt> {
  const info = inspectAudio(upload.bytes);
  if (!info.ok) {
    throw new ServiceError("invalid", PROBLEM_MESSAGES[info.problem], { field: "file", messageKey: `editor.errors.audio.${info.problem}` });
  }
  const originalFileName = sanitizeFileName(upload.fileName);
  const name = upload.name?.trim() ? cleanName(upload.name) : nameFromFileName(originalFileName);
  const id = newId("audioPrompt");
  const row = {
    id,
    name,
    originalFileName,
    contentType: info.contentType,
    sizeBytes: upload.bytes.byteLength,
    durationMs: info.durationMs,
    sha256: createHash("sha256").update(upload.bytes).digest("hex"),
    createdBy: userId,
  };
  const target = fileOf(audioDir, row);
  fs.mkdirSync(audioDir, { recursive: true });
  const temp = path.join(audioDir, `.upload-${randomBytes(8).toString("hex")}`);
  try {
    fs.writeFileSync(temp, upload.bytes, { flag: "wx" });
    fs.renameSync(temp, target);
    const [stored] = await db.insert(audioPrompts).values(row).returning();
    return stored!;
  } catch (error) {
    fs.rmSync(temp, { force: true });
    fs.rmSync(target, { force: true });
    throw error;
  }
}

export async function renameAudioPrompt(db: Db, id: string, name: string): Promise<AudioPrompt> {
  const [row] = await db.update(audioPrompts).set({ name: cleanName(name) }).where(eq(audioPrompts.id, id)).returning();
  if (!row) throw notFound("Audio prompt", id);
  return row;
}

/** Flows whose draft or latest published revision plays this prompt. */
export async function flowsUsingAudioPrompt(db: Db, id: string): Promise<{ id: string; name: string }[]> {
  if (!ID_PATTERN.test(id)) return [];
  const needle = `%"${id}"%`;
  const using = new Map<string, string>();
  for (const flow of await db.select({ id: flows.id, name: flows.name, draft: flows.draft }).from(flows).where(sql`${flows.draft} like ${needle}`)) {
    if (referencesAudio(flow.draft, id)) using.set(flow.id, flow.name);
  }
  const latest = await db
    .select({ flowId: flowRevisions.flowId, name: flows.name, document: flowRevisions.document })
    .from(flowRevisions)
    .innerJoin(flows, eq(flows.id, flowRevisions.flowId))
    .where(
      sql`${flowRevisions.document} like ${needle} and ${flowRevisions.revision} = (select max(r.revision) from flow_revisions r where r.flow_id = ${flowRevisions.flowId})`,
    );
  for (const revision of latest) if (referencesAudio(revision.document, id)) using.set(revision.flowId, revision.name);
  return [...using].map(([flowId, name]) => ({ id: flowId, name }));
}

/** True when any `audio_id` in the document (prompts, play nodes) is `id`. */
function referencesAudio(value: unknown, id: string): boolean {
  if (Array.isArray(value)) return value.some((item) => referencesAudio(item, id));
  if (value && typeof value === "object") {
    return Object.entries(value).some(([key, inner]) => (key === "audio_id" ? inner === id : referencesAudio(inner, id)));
  }
  return false;
}

export async function deleteAudioPrompt(db: Db, audioDir: string, id: string): Promise<void> {
  const prompt = await getAudioPrompt(db, id);
  const users = await flowsUsingAudioPrompt(db, id);
  if (users.length > 0) {
    throw new ServiceError("conflict", `Flows still play this audio prompt: ${users.map((flow) => flow.name).join(", ")}`, {
      messageKey: "editor.errors.audio.inUse",
    });
  }
  await db.delete(audioPrompts).where(eq(audioPrompts.id, id));
  fs.rmSync(fileOf(audioDir, prompt), { force: true });
}

/**
 * Where a prompt's file is, for streaming and for the SIP edge's playback; null for unknown ids. Awaited on both
 * backends: the edge asks while it prepares a prompt's audio, which is asynchronous anyway (file reads, sox).
 */
export async function audioPromptFile(db: Db, audioDir: string, id: string): Promise<{ path: string; contentType: string; fileName: string } | null> {
  if (!ID_PATTERN.test(id)) return null;
  const [row] = await db.select().from(audioPrompts).where(eq(audioPrompts.id, id)).limit(1);
  if (!row) return null;
  const file = fileOf(audioDir, row);
  return { path: file, contentType: row.contentType, fileName: path.basename(file) };
}

/** Known durations for the simulated engine (a prompt with audio lasts as long as its recording). Synchronous: the engine asks mid-call. */
export function audioPromptDuration(db: Db, id: string): number | undefined {
  const row = db.select({ durationMs: audioPrompts.durationMs }).from(audioPrompts).where(eq(audioPrompts.id, id)).get();
  return row?.durationMs ?? undefined;
}

/** The inspector's picker, by name, with each recording's length. */
export async function audioPromptOptions(db: Db): Promise<{ id: string; label: string; durationMs: number | null }[]> {
  return (await listAudioPrompts(db)).map((prompt) => ({ id: prompt.id, label: prompt.name, durationMs: prompt.durationMs }));
}
