/**
 * `POST /api/audio-prompts`: an admin uploads an audio prompt as
 * multipart/form-data (`file`, optional `name`). The body is read with a size
 * cap before it is parsed, so an oversized or endless upload is cut off early.
 * Answers `201 {audioPrompt}` or `{error: {code, message, field?, messageKey?}}`.
 */
import type { Db } from "../db/client";
import type { SessionUser } from "../auth/options";
import { isSameOrigin } from "../auth/sameOrigin";
import { readCappedBody } from "../http/cappedBody";
import { ServiceError } from "../services/errors";
import { createAudioPrompt } from "../services/audioPrompts";
import { MAX_AUDIO_BYTES } from "./format";

/** Room for the multipart envelope and the name field around the file. */
const MAX_BODY_BYTES = MAX_AUDIO_BYTES + 64 * 1024;

export interface UploadDeps {
  user: SessionUser | null;
  db: Db;
  audioDir: string;
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}

function problem(status: number, code: string, message: string, extra: { field?: string; messageKey?: string } = {}): Response {
  return reply(status, { error: { code, message, ...extra } });
}

const tooLarge = () => problem(413, "too_large", "The file is larger than 10 MB", { field: "file", messageKey: "editor.errors.audio.too_large" });

export async function handleAudioUpload(request: Request, deps: UploadDeps): Promise<Response> {
  if (!deps.user) return problem(401, "unauthorized", "Sign in first");
  if (deps.user.role !== "admin") return problem(403, "forbidden", "Only admins may upload audio prompts", { messageKey: "errors.forbidden" });
  if (!isSameOrigin(request)) return problem(403, "cross_origin", "Uploads must come from the portal itself", { messageKey: "errors.forbidden" });
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    return problem(415, "unsupported_media_type", "Send the file as multipart/form-data in the field \"file\"", { field: "file" });
  }
  const body = await readCappedBody(request, MAX_BODY_BYTES);
  if (body === null) return tooLarge();
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    return problem(400, "invalid", "The upload could not be read as a form", { field: "file" });
  }
  const file = form.get("file");
  if (!(file instanceof Blob)) {
    return problem(400, "invalid", "Choose a file to upload (form field \"file\")", { field: "file", messageKey: "editor.errors.audio.missing" });
  }
  const name = form.get("name");
  try {
    const audioPrompt = await createAudioPrompt(
      deps.db,
      deps.audioDir,
      {
        bytes: new Uint8Array(await file.arrayBuffer()),
        fileName: file instanceof File ? file.name : "audio",
        name: typeof name === "string" ? name : undefined,
      },
      deps.user.id,
    );
    return reply(201, { audioPrompt });
  } catch (error) {
    if (error instanceof ServiceError) {
      return problem(error.options.messageKey === "editor.errors.audio.too_large" ? 413 : 400, error.code, error.message, error.options);
    }
    throw error;
  }
}
