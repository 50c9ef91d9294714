import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { mp3Bytes, wavBytes } from "../audio/testAudio";
import { handleAudioUpload } from "../audio/uploadRoute";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import type { SessionUser } from "../auth/options";
import {
  audioPromptFile,
  createAudioPrompt,
  deleteAudioPrompt,
  flowsUsingAudioPrompt,
  listAudioPrompts,
  renameAudioPrompt,
} from "./audioPrompts";
import { createFlow, publishFlow, updateDraft, validateDocument } from "./flows";
import { serviceError } from "@/tests/helpers/errors";

let db: Db;
let dir: string;
let audioDir: string;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
beforeEach(async () => {
  ({ db, dir, runtimeStore, cleanup } = await createTestDb());
  audioDir = path.join(dir, "audio");
});
afterEach(() => cleanup());

function playFlow(audioId: string | undefined, name = "Welcome") {
  return {
    schema_version: 1,
    name,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "hello", type: "play", position: { x: 200, y: 0 }, config: { text: "Üdvözöljük!", ...(audioId ? { audio_id: audioId } : {}) } },
      { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
    ],
    edges: [
      { id: "e1", source: "start", source_port: "next", target: "hello" },
      { id: "e2", source: "hello", source_port: "next", target: "bye" },
    ],
  };
}

describe("audio prompt library", () => {
  it("stores a WAV upload under its id with size, duration and hash, and names it after the file", async () => {
    const bytes = wavBytes({ durationMs: 2000 });
    const prompt = await createAudioPrompt(db, audioDir, { bytes, fileName: "../köszöntő.wav" }, null);
    expect(prompt).toMatchObject({ name: "köszöntő", originalFileName: "köszöntő.wav", contentType: "audio/wav", sizeBytes: bytes.length, durationMs: 2000 });
    expect(prompt.id).toMatch(/^aud_/);
    expect(prompt.sha256).toMatch(/^[0-9a-f]{64}$/);
    const file = await audioPromptFile(db, audioDir, prompt.id);
    expect(file?.path).toBe(path.join(audioDir, `${prompt.id}.wav`));
    expect(fs.readFileSync(file!.path).equals(bytes)).toBe(true);
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(audioDir)).toEqual([`${prompt.id}.wav`]);
    expect((await listAudioPrompts(db)).map((p) => p.id)).toEqual([prompt.id]);
    // What the simulated engine reads mid-call: per use on SQLite, the runtime's directory snapshot on PostgreSQL.
    expect((await runtimeStore()).audioDurationMs(prompt.id)).toBe(2000);
  });

  it("stores an MP3 as audio/mpeg whatever the file claims to be", async () => {
    const prompt = await createAudioPrompt(db, audioDir, { bytes: mp3Bytes(), fileName: "hold.wav", name: "Hold music" }, null);
    expect(prompt).toMatchObject({ name: "Hold music", contentType: "audio/mpeg" });
    expect((await audioPromptFile(db, audioDir, prompt.id))?.path.endsWith(".mp3")).toBe(true);
  });

  it("refuses a text file renamed .wav with an error on the file field, and stores nothing", async () => {
    const error = await serviceError(() => createAudioPrompt(db, audioDir, { bytes: Buffer.from("not audio"), fileName: "x.wav" }, null));
    expect(error).toMatchObject({ code: "invalid", options: { field: "file", messageKey: "editor.errors.audio.unsupported_format" } });
    expect(await listAudioPrompts(db)).toEqual([]);
    expect(fs.existsSync(audioDir) ? fs.readdirSync(audioDir) : []).toEqual([]);
  });

  it("renames; an empty name is refused", async () => {
    const prompt = await createAudioPrompt(db, audioDir, { bytes: wavBytes(), fileName: "a.wav" }, null);
    expect((await renameAudioPrompt(db, prompt.id, "  Nyitvatartás  ")).name).toBe("Nyitvatartás");
    expect((await serviceError(() => renameAudioPrompt(db, prompt.id, " "))).options.field).toBe("name");
    expect((await serviceError(() => renameAudioPrompt(db, "aud_nope", "x"))).code).toBe("not_found");
  });

  it("refuses to delete a prompt a draft or the published revision plays; deletes it (and its file) once unused", async () => {
    const prompt = await createAudioPrompt(db, audioDir, { bytes: wavBytes(), fileName: "a.wav" }, null);
    const flow = await createFlow(db, playFlow(prompt.id), null);
    expect(await flowsUsingAudioPrompt(db, prompt.id)).toEqual([{ id: flow.id, name: "Welcome" }]);
    expect(await serviceError(() => deleteAudioPrompt(db, audioDir, prompt.id))).toMatchObject({ code: "conflict", message: expect.stringContaining("Welcome") });

    await publishFlow(db, flow.id, null);
    await updateDraft(db, flow.id, playFlow(undefined), null);
    // The draft no longer uses it, but calls still run the published revision.
    expect((await serviceError(() => deleteAudioPrompt(db, audioDir, prompt.id))).code).toBe("conflict");

    await publishFlow(db, flow.id, null);
    await deleteAudioPrompt(db, audioDir, prompt.id);
    expect(await listAudioPrompts(db)).toEqual([]);
    expect(fs.readdirSync(audioDir)).toEqual([]);
  });

  it("validation reports an audio_id that is not in the library, in play nodes and in prompts", async () => {
    const prompt = await createAudioPrompt(db, audioDir, { bytes: wavBytes(), fileName: "a.wav" }, null);
    expect((await validateDocument(db, playFlow(prompt.id))).errors).toEqual([]);
    const missing = await validateDocument(db, playFlow("aud_missing"));
    expect(missing.errors.map((e) => [e.code, e.path, e.message])).toEqual([["audio_prompt_missing", "nodes.1.config.audio_id", expect.stringMatching(/^Audio prompt not found/)]]);
    const inPrompt = playFlow(undefined);
    inPrompt.nodes[1].config = { text: { text: "Hello", audio_id: "aud_gone" } } as never;
    expect((await validateDocument(db, inPrompt)).errors.map((e) => e.path)).toEqual(["nodes.1.config.text.audio_id"]);
    // Publishing needs a valid flow, so a missing recording never reaches callers.
    const flow = await createFlow(db, playFlow("aud_gone"), null);
    expect((await serviceError(() => publishFlow(db, flow.id, null))).code).toBe("invalid");
  });
});

describe("upload route", () => {
  const admin: SessionUser = { id: "usr_admin", name: "Admin", email: "a@example.com", role: "admin", locale: null };
  const upload = (file: Blob | null, headers: Record<string, string> = {}, name = "hello.wav") => {
    const form = new FormData();
    if (file) form.set("file", file, name);
    return new Request("http://portal.test/api/audio-prompts", { method: "POST", body: form, headers: { host: "portal.test", origin: "http://portal.test", ...headers } });
  };

  it("needs a signed-in admin", async () => {
    const wav = new Blob([new Uint8Array(wavBytes())]);
    expect((await handleAudioUpload(upload(wav), { user: null, db, audioDir })).status).toBe(401);
    expect((await handleAudioUpload(upload(wav), { user: { ...admin, role: "user" }, db, audioDir })).status).toBe(403);
    expect(await listAudioPrompts(db)).toEqual([]);
  });

  it("refuses uploads posted from another site (CSRF)", async () => {
    const wav = new Blob([new Uint8Array(wavBytes())]);
    expect((await handleAudioUpload(upload(wav, { origin: "https://evil.example" }), { user: admin, db, audioDir })).status).toBe(403);
    expect((await handleAudioUpload(upload(wav, { "sec-fetch-site": "cross-site" }), { user: admin, db, audioDir })).status).toBe(403);
    const noOrigin = new Request("http://portal.test/api/audio-prompts", { method: "POST", body: new FormData(), headers: { host: "portal.test" } });
    expect((await handleAudioUpload(noOrigin, { user: admin, db, audioDir })).status).toBe(403);
  });

  it("stores a valid file and answers 201 with the new prompt", async () => {
    await db.insert(users).values({ id: admin.id, email: admin.email, firstName: "Admin", role: "admin" });
    const response = await handleAudioUpload(upload(new Blob([new Uint8Array(wavBytes({ durationMs: 1200 }))]), { "sec-fetch-site": "same-origin" }), { user: admin, db, audioDir });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { audioPrompt: { id: string; durationMs: number; createdBy: string } };
    expect(body.audioPrompt).toMatchObject({ durationMs: 1200, name: "hello", createdBy: admin.id });
    expect(await listAudioPrompts(db)).toHaveLength(1);
  });

  it("answers field errors naming the file field: wrong format, missing file, too large", async () => {
    const text = await handleAudioUpload(upload(new Blob(["hello"])), { user: admin, db, audioDir });
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({ error: expect.objectContaining({ field: "file", messageKey: "editor.errors.audio.unsupported_format" }) });
    const none = await handleAudioUpload(upload(null), { user: admin, db, audioDir });
    expect(((await none.json()) as { error: { field: string } }).error.field).toBe("file");
    const huge = await handleAudioUpload(upload(new Blob([new Uint8Array(11 * 1024 * 1024)])), { user: admin, db, audioDir });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { field: string } }).error.field).toBe("file");
    expect(await listAudioPrompts(db)).toEqual([]);
  });
});

describe("simulated engine", () => {
  it("plays a prompt with audio for as long as the recording lasts", async () => {
    const prompt = await createAudioPrompt(db, audioDir, { bytes: wavBytes({ durationMs: 3000 }), fileName: "a.wav" }, null);
    const clock = new ManualClock();
    const engine = new SimulatedEngine({ clock, recordingsDir: dir, audioDurationMs: (await runtimeStore()).audioDurationMs });
    const leg = engine.placeCall({ from: "+36301234567", to: "+3612345678" });
    engine.answer(leg);
    let outcome: string | null = null;
    void engine.play(leg, { text: "hi", language: "en", audioId: prompt.id }).then((result) => (outcome = result));
    await clock.advanceAsync(2999);
    expect(outcome).toBeNull();
    await clock.advanceAsync(1);
    expect(outcome).toBe("completed");
    // An unknown recording falls back to the text's length (at least 500 ms).
    let fallback: string | null = null;
    void engine.play(leg, { text: "hi", language: "en", audioId: "aud_unknown" }).then((result) => (fallback = result));
    await clock.advanceAsync(500);
    expect(fallback).toBe("completed");
  });
});
