import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { writeToneWav } from "@/server/telephony/simulated/wav";
import { recordingToken } from "@/server/integration/recordingLinks";
import { mp3CachePath, mp3EncodeCount } from "@/server/integration/recordingFiles";
import { decodeMp3 } from "@/server/audio/testAudio";
import { outboundApiCatalog, parseOutboundApi } from "@/server/integration/catalog";
import { Outbox } from "@/server/integration/outbox";
import { sampleEvent } from "@/server/integration/samples";
import { deliveries, outboundApis, recordings } from "@/server/db/schema";
import { callApi, setupApiTest, type ApiTestContext } from "../testing/harness";
import {
  createOutboundApi,
  deleteOutboundApi,
  getOutboundApi,
  getRecording,
  listDeliveries,
  listOutboundApis,
  resendDelivery,
  updateOutboundApi,
} from "./integration";

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest();
});
afterEach(() => ctx.cleanup());

const endOfCall = { kind: "end_of_call", name: "CRM", url: "https://crm.example.com/hook", auth: { type: "bearer", token: "crm-token-secret" } };

describe("outbound APIs over REST", () => {
  it("creates with the signing secret shown once, reads, replaces keeping secrets, and deletes", async () => {
    const created = await callApi(ctx, createOutboundApi, { body: endOfCall });
    expect(created.status).toBe(201);
    expect(created.body.signing_secret).toMatch(/^whsec_/);
    const id = created.body.id as string;

    const listed = await callApi(ctx, listOutboundApis);
    expect(listed.body).toMatchObject({ total: 1, items: [{ id, kind: "end_of_call", auth: { type: "bearer", secret_hint: "••••cret" } }] });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.signing_secret);
    expect(JSON.stringify(listed.body)).not.toContain("crm-token-secret");

    const replaced = await callApi(ctx, updateOutboundApi, { params: { id }, body: { ...endOfCall, name: "CRM 2", auth: { type: "bearer" }, send_recordings: false } });
    expect(replaced.body).toMatchObject({ name: "CRM 2", send_recordings: false, auth: { secret_hint: "••••cret" } });
    expect((await callApi(ctx, deleteOutboundApi, { params: { id } })).status).toBe(204);
    expect((await callApi(ctx, getOutboundApi, { params: { id } })).status).toBe(404);
  });

  it("refuses unknown fields, bad URLs and missing secrets with problem details, and needs the scopes", async () => {
    const unknown = await callApi(ctx, createOutboundApi, { body: { ...endOfCall, colour: "blue" } });
    expect(unknown.body).toMatchObject({ status: 400, code: "validation_failed", errors: [{ path: "colour", code: "unknown_field" }] });
    // The portal's schema says "integration.errors.url"; the API says it in English.
    const notAUrl = await callApi(ctx, createOutboundApi, { body: { ...endOfCall, url: "crm.example.com/hook" } });
    expect(notAUrl.body).toMatchObject({
      status: 400,
      code: "validation_failed",
      detail: "The request body is invalid: url: Enter a full http:// or https:// address.",
      errors: [{ path: "url", field: "url", code: "invalid_url", message: "Enter a full http:// or https:// address." }],
    });
    const credentialsInUrl = await callApi(ctx, createOutboundApi, { body: { ...endOfCall, url: "https://user:pw@crm.example.com/hook" } });
    expect(credentialsInUrl.body.errors).toEqual([expect.objectContaining({ path: "url", code: "credentials_in_url", message: expect.stringMatching(/^Do not put a user name/) })]);
    const badUrl = await callApi(ctx, createOutboundApi, { body: { ...endOfCall, url: "http://169.254.169.254/x" } });
    expect(badUrl.body).toMatchObject({ status: 400, errors: [{ path: "url", code: "url_not_allowed" }] });
    const noSecret = await callApi(ctx, createOutboundApi, { body: { ...endOfCall, auth: { type: "basic", username: "u" } } });
    expect(noSecret.body.errors[0]).toMatchObject({ path: "auth.password", code: "required" });
    const reader = await ctx.technicalUser({ scopes: ["outbound-apis:read"] });
    expect((await callApi(ctx, createOutboundApi, { auth: reader.auth, body: endOfCall })).status).toBe(403);
    expect((await callApi(ctx, listOutboundApis, { auth: reader.auth })).status).toBe(200);
    expect((await callApi(ctx, listOutboundApis, { auth: null })).status).toBe(401);
  });

  it("lists an API's deliveries with attempts and resends a finished one", async () => {
    const id = (await callApi(ctx, createOutboundApi, { body: endOfCall })).body.id as string;
    const [stored] = await ctx.db.select().from(outboundApis).where(eq(outboundApis.id, id));
    const outbox = new Outbox(ctx.db, outboundApiCatalog(ctx.db), ctx.clock);
    const messageId = outbox.enqueue(sampleEvent("end_of_call"), [parseOutboundApi(stored)]);
    await ctx.durable(); // the outbox writes through the runtime's record writer, which queues on PostgreSQL
    const listed = await callApi(ctx, listDeliveries, { params: { id }, query: { status: "pending" } });
    expect(listed.body).toMatchObject({ total: 1, items: [{ message_id: messageId, status: "pending", attempts: [] }] });
    const deliveryId = listed.body.items[0].id as string;
    expect((await callApi(ctx, resendDelivery, { params: { id: deliveryId } })).status).toBe(409);
    await ctx.db.update(deliveries).set({ status: "dead" }).where(eq(deliveries.id, deliveryId));
    const resent = await callApi(ctx, resendDelivery, { params: { id: deliveryId } });
    expect(resent).toMatchObject({ status: 202, body: { status: "pending", message_id: messageId } });
    expect((await callApi(ctx, listDeliveries, { params: { id: "oapi_missing" } })).status).toBe(404);
  });
});

describe("GET /recordings/{code}", () => {
  let code: string;
  let size: number;
  beforeEach(async () => {
    const file = writeToneWav(path.join(ctx.dir, "recordings"), 2_000);
    code = file.code;
    size = file.sizeBytes;
    await ctx.db.insert(recordings).values({ code, conversationId: "conv", kind: "call", format: "wav", durationS: 2, sizeBytes: size, sha256: file.sha256, createdAt: new Date().toISOString() });
  });

  const get = (options: { code?: string; auth?: string | null; range?: string; token?: string; format?: string; accept?: string } = {}) => {
    const url = new URL(`http://localhost/api/v1/recordings/${options.code ?? code}`);
    if (options.token !== undefined) url.searchParams.set("token", options.token);
    if (options.format !== undefined) url.searchParams.set("format", options.format);
    const headers = new Headers();
    if (options.auth !== null) headers.set("authorization", options.auth ?? ctx.auth);
    if (options.range) headers.set("range", options.range);
    if (options.accept) headers.set("accept", options.accept);
    return getRecording(new Request(url, { headers }), { params: Promise.resolve({ code: options.code ?? code }) });
  };

  it("serves the WAV to a technical user with recordings:read, with Range support", async () => {
    const whole = await get();
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("audio/wav");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(size);
    expect(bytes.subarray(0, 4).toString()).toBe("RIFF");

    const part = await get({ range: "bytes=4-11" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 4-11/${size}`);
    expect(Buffer.from(await part.arrayBuffer()).toString("latin1")).toBe(bytes.subarray(4, 12).toString("latin1"));
    const tail = await get({ range: "bytes=-10" });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(size - 10));
    const beyond = await get({ range: `bytes=${size}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${size}`);
  });

  it("accepts the signed link without credentials, and nothing else", async () => {
    const token = recordingToken(code, ctx.clock.now() + 60_000);
    expect((await get({ auth: null, token })).status).toBe(200);
    expect((await get({ auth: null, token: `${token.slice(0, -2)}xx` })).status).toBe(401);
    expect((await get({ auth: null })).status).toBe(401);
    const noScope = await ctx.technicalUser({ scopes: ["calls:read"] });
    expect((await get({ auth: noScope.auth })).status).toBe(403);
    expect((await get({ code: "AAAAAAAAAAAAAAAAAAAAAAAA" })).status).toBe(404);
    expect((await get({ code: "..%2F..%2Fetc%2Fpasswd" })).status).toBe(404);
  });

  it("refuses an expired link with a problem naming the token and when it expired, while credentials still work", async () => {
    const token = recordingToken(code, ctx.clock.now() + 60_000);
    expect((await get({ auth: null, token, format: "mp3" })).status).toBe(200); // one token, either format
    ctx.clock.advance(60_001);
    const expired = await get({ auth: null, token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("content-type")).toBe("application/problem+json");
    const problem = await expired.json();
    expect(problem.detail).toMatch(/expired at 2026-11-24T09:01:00\.000Z/);
    expect(problem.errors).toEqual([{ path: "query.token", field: "token", code: "expired", message: "expired at 2026-11-24T09:01:00.000Z" }]);
    expect((await get({ token })).status).toBe(200); // Basic credentials beside a stale token
  });

  it("serves mp3 for ?format=mp3 or Accept: audio/mpeg, encoded once and cached beside the WAV, with Range", async () => {
    const before = mp3EncodeCount();
    const first = await get({ format: "mp3" });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("audio/mpeg");
    expect(first.headers.get("accept-ranges")).toBe("bytes");
    const mp3 = Buffer.from(await first.arrayBuffer());
    expect(Number(first.headers.get("content-length"))).toBe(mp3.length);
    const decoded = await decodeMp3(mp3);
    expect(Math.abs(decoded.soundSeconds - 2)).toBeLessThanOrEqual(0.15);
    expect(mp3EncodeCount()).toBe(before + 1);
    const cached = mp3CachePath(path.join(ctx.dir, "recordings"), code);
    const { mtimeMs } = fs.statSync(cached);

    const again = await get({ accept: "audio/mpeg" });
    expect(again.headers.get("content-type")).toBe("audio/mpeg");
    expect(again.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(Buffer.from(await again.arrayBuffer())).toEqual(mp3);
    expect(mp3EncodeCount()).toBe(before + 1);
    expect(fs.statSync(cached).mtimeMs).toBe(mtimeMs);

    const part = await get({ format: "mp3", range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${mp3.length}`);
    expect(part.headers.get("content-length")).toBe("100");
    expect(Buffer.from(await part.arrayBuffer())).toEqual(mp3.subarray(100, 200));
    expect((await get({ format: "mp3", range: `bytes=${mp3.length}-` })).status).toBe(416);

    const wav = await get({ format: "wav", accept: "audio/mpeg" }); // the query parameter wins
    expect(wav.headers.get("content-type")).toBe("audio/wav");
    expect(wav.headers.get("etag")).not.toBe(first.headers.get("etag"));
  });

  it("encodes once when the first requests arrive together, and leaves no temporary file", async () => {
    const before = mp3EncodeCount();
    const replies = await Promise.all([get({ format: "mp3" }), get({ format: "mp3" }), get({ accept: "audio/mpeg" })]);
    const bodies = await Promise.all(replies.map(async (reply) => Buffer.from(await reply.arrayBuffer())));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(mp3EncodeCount()).toBe(before + 1);
    expect(fs.readdirSync(path.join(ctx.dir, "recordings")).sort()).toEqual([`${code}.mp3`, `${code}.wav`]);
  });

  it("answers an unknown format with 400 naming it, and an Accept that allows neither format with 406", async () => {
    const unknown = await callApi(ctx, getRecording, { params: { code }, query: { format: "ogg" } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe("query.format");
    const viaToken = await get({ auth: null, token: recordingToken(code, ctx.clock.now() + 60_000), format: "ogg" });
    expect(viaToken.status).toBe(400);
    expect((await viaToken.json()).errors[0].path).toBe("query.format");
    const refused = await callApi(ctx, getRecording, { params: { code }, headers: { accept: "application/json" } });
    expect(refused.status).toBe(406);
    expect(refused.body.errors[0].path).toBe("header.Accept");
    expect((await get({ accept: "audio/*;q=0.5, audio/mpeg" })).headers.get("content-type")).toBe("audio/mpeg");
    expect((await get({ accept: "*/*" })).headers.get("content-type")).toBe("audio/wav");
  });
});
