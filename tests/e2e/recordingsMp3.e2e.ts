/**
 * A CRM that plays recordings only as mp3 (MiniCRM) gets mp3 links in the
 * end-of-call data and fetches them with nothing but the link's signed token
 * (issue #15). On the production build: an end-of-call API with
 * `recording_format: "mp3"` on a real HTTP receiver, a recorded simulated
 * call, and the link's audio decoded with mpg123 — not just its content type.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { TestReceiver } from "@/server/integration/testing/receiver";
import { decodeMp3 } from "@/server/audio/testAudio";
import { inspectAudio } from "@/server/audio/format";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { basicOf, createTechnicalUser, restClient, type Json } from "./rest";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };

const DID = "+3612340031";
const CALLER = "+36301230031";
const EXTENSION = "105";
/** Long enough that a wrong duration cannot hide in the ±0.5 s tolerance. */
const TALK_MS = 3_000;

let crm: TestReceiver;
let basic: string;
let browser: Browser | undefined;
const { api, ok } = restClient(baseUrl, () => basic);

beforeAll(async () => {
  crm = new TestReceiver();
  await crm.listen();
  basic = basicOf(createTechnicalUser(dataDir, "MP3 recordings CRM"));

  await ok(`/simulator/phones/${EXTENSION}`, { method: "PUT", body: { behavior: "answer", answer_after_s: 0 } });
  const dial = { extension: EXTENSION, ring_timeout_s: 20 };
  const flow = await ok("/flows", {
    method: "POST",
    body: {
      schema_version: 1,
      name: "MP3 recordings",
      nodes: [
        { id: "start", type: "start", config: {}, position: { x: 0, y: 0 } },
        { id: "dial", type: "dial_extension", config: dial, position: { x: 220, y: 0 } },
        { id: "bye", type: "hangup", config: {}, position: { x: 440, y: 0 } },
      ],
      edges: [
        { id: "start-next", source: "start", source_port: "next", target: "dial" },
        ...["answered", "no_answer", "busy", "failed"].map((port) => ({ id: `dial-${port}`, source: "dial", source_port: port, target: "bye" })),
      ],
    },
  });
  await ok(`/flows/${flow.id}/publish`, { method: "POST" });
  await ok(`/numbers/${encodeURIComponent(DID)}`, { method: "PUT", body: { flow_id: flow.id, label: "MP3 recordings" } });
});

afterAll(async () => {
  await browser?.close();
  await crm?.close();
});

describe("recordings as mp3 for a CRM", () => {
  it("sends an mp3 link that works with only its token, decodes to the call's length, and still serves WAV and ranges", async () => {
    const created = await api("/outbound-apis", {
      method: "POST",
      body: { kind: "end_of_call", name: "MP3 CRM", url: crm.url("/calls"), apply_to: "all_calls", send_recordings: true, recording_format: "mp3" },
    });
    expect(created.status).toBe(201);
    expect(created.body.recording_format).toBe("mp3");

    const { call_id: callId } = await ok("/simulator/calls", { method: "POST", body: { from: CALLER, to: DID } });
    await expect.poll(async () => (await api(`/calls/${callId}`)).body?.status, slow).toBe("answered");
    await new Promise((resolve) => setTimeout(resolve, TALK_MS));
    await ok(`/simulator/calls/${callId}/hangup`, { method: "POST" });

    await expect.poll(() => crm.requests.filter((request) => request.url === "/calls" && request.body.includes(callId)).length, slow).toBeGreaterThan(0);
    const final = crm.requests.map((request) => JSON.parse(request.body) as Json).find((body) => body.data?.call_id === callId && body.data.is_final);
    expect(final.data.recordings).toHaveLength(1);
    const [recording] = final.data.recordings;
    expect(recording).toMatchObject({ format: "mp3", size_bytes: null, sha256: null });
    const link = new URL(recording.url, baseUrl);
    expect(link.searchParams.get("format")).toBe("mp3");
    expect(link.searchParams.get("token")).toMatch(/^\d+\./);
    expect(Math.abs(recording.duration_s - TALK_MS / 1000)).toBeLessThan(1.5); // wall-clock talk time, give or take the API round trips

    // Only the signed token: no Authorization header.
    const mp3Reply = await fetch(link);
    expect(mp3Reply.status).toBe(200);
    expect(mp3Reply.headers.get("content-type")).toBe("audio/mpeg");
    expect(mp3Reply.headers.get("accept-ranges")).toBe("bytes");
    expect(mp3Reply.headers.get("etag")).toMatch(/^".+"$/);
    const mp3 = new Uint8Array(await mp3Reply.arrayBuffer());
    // Next 16 drops Content-Length from every route handler's response (send-response.js) and sends it chunked;
    // the handler's value is checked in the unit tests, and here it must at least never be wrong.
    const length = mp3Reply.headers.get("content-length");
    if (length !== null) expect(Number(length)).toBe(mp3.length);
    expect(inspectAudio(mp3)).toMatchObject({ ok: true, format: "mp3" });
    const decoded = await decodeMp3(mp3);
    expect(decoded.errors).toBe(0);
    expect(Math.abs(decoded.soundSeconds - recording.duration_s)).toBeLessThanOrEqual(0.5);
    expect(decoded.rms).toBeGreaterThan(0.01); // the simulated line's tone, not silence

    const wavLink = new URL(link);
    wavLink.searchParams.set("format", "wav");
    const wavReply = await fetch(wavLink);
    expect(wavReply.status).toBe(200);
    expect(wavReply.headers.get("content-type")).toBe("audio/wav");
    const wav = new Uint8Array(await wavReply.arrayBuffer());
    expect(inspectAudio(wav)).toMatchObject({ ok: true, format: "wav" });
    expect(mp3.length / wav.length).toBeLessThan(0.35);

    const range = await fetch(link, { headers: { range: "bytes=0-1023" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe(`bytes 0-1023/${mp3.length}`);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(mp3.subarray(0, 1024));

    const unknown = await fetch(new URL(`${link.pathname}?token=${link.searchParams.get("token")}&format=ogg`, baseUrl));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect((await unknown.json()).errors[0].path).toBe("query.format");
    const forged = await fetch(new URL(`${link.pathname}?token=1.${"A".repeat(43)}&format=mp3`, baseUrl));
    expect(forged.status).toBe(401);
  });

  it("lets an admin choose mp3 on the end-of-call form, in English and Hungarian", async () => {
    browser = await launchBrowser();
    const page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } })).newPage();
    await signInAsAdmin(page, baseUrl);
    await page.goto(`${baseUrl}/api-access`);
    await setLanguage(page, "en");
    await page.getByRole("button", { name: "Add: End-of-call data API" }).click();
    const format = page.getByLabel("Recording format");
    expect(await format.inputValue()).toBe("wav");
    await format.selectOption("mp3");
    await page.getByLabel("Name", { exact: true }).fill("MP3 from the form");
    await page.getByLabel("URL", { exact: true }).fill(crm.url("/form"));
    await screenshot(page, "recording-format-en");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("dialog", { name: "Signing secret" }).getByRole("button", { name: "I have saved it" }).click();
    await expect.poll(async () => (await ok(`/outbound-apis?search=${encodeURIComponent("MP3 from the form")}`)).items.map((api: Json) => api.recording_format), slow).toEqual(["mp3"]);

    await setLanguage(page, "hu");
    await page.getByRole("button", { name: "Hozzáadás: Hívás végi adatküldés API" }).click();
    const hungarian = page.getByLabel("Felvétel formátuma");
    expect(await hungarian.locator("option").allTextContents()).toEqual(["WAV (az eredeti, tömörítetlen)", expect.stringMatching(/^MP3 /)]);
    await page.getByLabel("Felvételek küldése (aláírt letöltési link minden rekordban)").uncheck();
    expect(await page.getByLabel("Felvétel formátuma").count()).toBe(0); // no format to choose when no recordings go out
    await page.getByLabel("Felvételek küldése (aláírt letöltési link minden rekordban)").check();
    await screenshot(page, "recording-format-hu");
    await setLanguage(page, "en");
  });
});
