/**
 * What an admin or a CRM changes while the production server runs takes
 * effect on the very next call or request, without a restart (issue #11).
 *
 * The production build runs the telephony runtime in Next's instrumentation
 * bundle and every route handler in its own bundle, each with its own copy of
 * every module; a change made through one bundle must reach the others. Each
 * case changes something over the REST API, in the portal (Chromium) or
 * straight in the database file (another process), then places a call or
 * sends a request and checks what happened. The CRM is a real HTTP receiver
 * that verifies every request with the `standardwebhooks` package.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { TestReceiver, type ReceivedRequest } from "@/server/integration/testing/receiver";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { basicOf, createTechnicalUser, restClient, type Json } from "./rest";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };

const DID = "+3612340011";
const CALLER = "+36301230011";

let browser: Browser;
let context: BrowserContext;
let page: Page;
let crm: TestReceiver;
let basic: string;
let flowId: string;

const { api, ok } = restClient(baseUrl, () => basic);

// ── the flow under test ────────────────────────────────────────────────

type FlowNode = { id: string; type: string; config: Record<string, unknown> };

/** start → [nodes…] → hangup, every output of every node leading on to the next one. */
function flowDocument(name: string, nodes: FlowNode[], outputs: Record<string, string[]>) {
  const chain: FlowNode[] = [{ id: "start", type: "start", config: {} }, ...nodes, { id: "bye", type: "hangup", config: {} }];
  const edges = chain.slice(0, -1).flatMap((node, index) =>
    (outputs[node.type] ?? ["next"]).map((port) => ({ id: `${node.id}-${port}`, source: node.id, source_port: port, target: chain[index + 1].id })),
  );
  return { schema_version: 1, name, nodes: chain.map((node, index) => ({ ...node, position: { x: index * 220, y: 0 } })), edges };
}

const ports = { dial_extension: ["answered", "no_answer", "busy", "failed"], data_lookup: ["found", "not_found", "error"] };

async function publish(document: unknown): Promise<number> {
  await ok(`/flows/${flowId}`, { method: "PUT", body: document });
  return (await ok(`/flows/${flowId}/publish`, { method: "POST" })).revision as number;
}

const dialFlow = (extension: string) => flowDocument("Live configuration", [{ id: "dial", type: "dial_extension", config: { extension, ring_timeout_s: 20 } }], ports);

// ── calls ─────────────────────────────────────────────────────────────

async function setPhone(extension: string, behavior: "answer" | "busy" | "no_answer", answerAfterS = 0): Promise<void> {
  await ok(`/simulator/phones/${extension}`, { method: "PUT", body: behavior === "answer" ? { behavior, answer_after_s: answerAfterS } : { behavior } });
}

interface PlacedCall {
  callId: string;
  /** The call as GET /calls/{id} returns it once it has ended. */
  call: { status: string; legs: { answered_by: { extension?: string | null } | null }[]; callee: { number: string } };
  /** Each flow step as the runtime ran it. */
  trace: { node_id: string; branch: string | null; input: Record<string, unknown> }[];
}

/** Dials the DID, waits until somebody answers (or the flow ends the call), holds the line briefly, hangs up. */
async function placeCall(): Promise<PlacedCall> {
  const { call_id: callId } = await ok("/simulator/calls", { method: "POST", body: { from: CALLER, to: DID } });
  const settled = async () => {
    const current = await api(`/calls/${callId}`);
    return current.status === 200 ? (current.body.status as string) : "gone";
  };
  await expect.poll(settled, slow).toMatch(/^(answered|ended)$/);
  const trace = (await ok(`/simulator/calls/${callId}`)).trace as PlacedCall["trace"];
  if ((await settled()) === "answered") {
    await new Promise((resolve) => setTimeout(resolve, 300)); // a recording with some audio in it
    expect([204, 404, 409]).toContain((await api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status);
  }
  await expect.poll(settled, slow).toBe("ended");
  return { callId, call: (await ok(`/calls/${callId}`)) as PlacedCall["call"], trace };
}

const answeredBy = (placed: PlacedCall) => placed.call.legs.map((leg) => leg.answered_by?.extension).find(Boolean) ?? null;

// ── what the CRM received ─────────────────────────────────────────────

const bodyOf = (request: ReceivedRequest) => JSON.parse(request.body) as { type: string; data: Json };

/** Requests to `pathname` about one call (matched by its id anywhere in the payload). */
const received = (pathname: string, callId: string) => crm.requests.filter((r) => r.url === pathname && r.body.includes(callId));

/** Waits for the call's messages at `pathname`; with `count: 0`, checks that none came after the delivery worker had time to send them. */
async function expectDelivered(pathname: string, callId: string, count: number): Promise<ReceivedRequest[]> {
  if (count === 0) {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(received(pathname, callId)).toEqual([]);
    return [];
  }
  await expect.poll(() => received(pathname, callId).length, slow).toBeGreaterThanOrEqual(count);
  return received(pathname, callId);
}

const verifies = (request: ReceivedRequest, secret: string) => {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

function outboundApi(kind: "incoming_notification" | "end_of_call", name: string, pathname: string, extra: Record<string, unknown> = {}) {
  return { kind, name, url: crm.url(pathname), apply_to: "all_calls", retry: { count: 2, intervals_s: [1] }, ...extra };
}

beforeAll(async () => {
  crm = new TestReceiver();
  await crm.listen();
  crm.respond = (request) => {
    if (request.url === "/lookup-a") return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ extension: "103" }) };
    if (request.url === "/lookup-b") return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ owner: { ext: "104" } }) };
    return { status: 200, body: "ok" };
  };
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await setLanguage(page, "en");

  basic = basicOf(createTechnicalUser(dataDir, "Live configuration CRM"));
  for (const extension of ["101", "103", "104"]) await setPhone(extension, "answer");
  const flow = await ok("/flows", { method: "POST", body: dialFlow("101") });
  flowId = flow.id;
  await ok(`/flows/${flowId}/publish`, { method: "POST" });
  await ok(`/numbers/${encodeURIComponent(DID)}`, { method: "PUT", body: { flow_id: flowId, label: "Live configuration" } });
});

afterAll(async () => {
  await browser?.close();
  await crm?.close();
});

describe("CRM hooks changed over the REST API reach the next call", () => {
  let notification: { id: string; signing_secret: string; body: Record<string, unknown> };
  let record: { id: string; signing_secret: string; body: Record<string, unknown> };

  it("delivers, signed, the notification and the record of the first call after the hooks are created", async () => {
    const notificationBody = outboundApi("incoming_notification", "Live popup", "/notify", { trigger: "ringing" });
    const recordBody = outboundApi("end_of_call", "Live CDR", "/cdr");
    const createdNotification = await api("/outbound-apis", { method: "POST", body: notificationBody });
    const createdRecord = await api("/outbound-apis", { method: "POST", body: recordBody });
    expect([createdNotification.status, createdRecord.status]).toEqual([201, 201]);
    notification = { id: createdNotification.body.id, signing_secret: createdNotification.body.signing_secret, body: notificationBody };
    record = { id: createdRecord.body.id, signing_secret: createdRecord.body.signing_secret, body: recordBody };

    const { callId } = await placeCall();
    const [popup] = await expectDelivered("/notify", callId, 1);
    expect(bodyOf(popup)).toMatchObject({ type: "call.incoming", data: { call_id: callId, trigger: "ringing" } });
    expect(verifies(popup, notification.signing_secret)).toBe(true);
    const records = await expectDelivered("/cdr", callId, 1);
    const final = records.map(bodyOf).find((message) => message.data.is_final);
    expect(final).toMatchObject({ type: "call.ended" });
    expect(final?.data.recordings.length).toBeGreaterThan(0);
    expect(records.every((request) => verifies(request, record.signing_secret))).toBe(true);
  });

  it("follows an edit: new URL, timeout and trigger (ringing → answered), recordings off", async () => {
    await ok(`/outbound-apis/${notification.id}`, { method: "PUT", body: { ...notification.body, url: crm.url("/notify-edited"), timeout_ms: 4_000, trigger: "answered" } });
    await ok(`/outbound-apis/${record.id}`, { method: "PUT", body: { ...record.body, send_recordings: false } });
    expect((await ok(`/outbound-apis/${notification.id}`)).timeout_ms).toBe(4_000);

    const { callId } = await placeCall();
    const [popup] = await expectDelivered("/notify-edited", callId, 1);
    expect(bodyOf(popup).data.trigger).toBe("answered");
    expect(received("/notify", callId)).toEqual([]);
    const final = (await expectDelivered("/cdr", callId, 1)).map(bodyOf).find((message) => message.data.is_final);
    expect(final?.data.recordings).toEqual([]);
  });

  it("stops at once when disabled, resumes when enabled again, and ends when deleted", async () => {
    await ok(`/outbound-apis/${record.id}`, { method: "PUT", body: { ...record.body, enabled: false } });
    const whileDisabled = await placeCall();
    await expectDelivered("/cdr", whileDisabled.callId, 0);

    await ok(`/outbound-apis/${record.id}`, { method: "PUT", body: { ...record.body, enabled: true } });
    const afterEnabled = await placeCall();
    await expectDelivered("/cdr", afterEnabled.callId, 1);

    expect((await api(`/outbound-apis/${record.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/outbound-apis/${notification.id}`, { method: "DELETE" })).status).toBe(204);
    const afterDelete = await placeCall();
    await expectDelivered("/cdr", afterDelete.callId, 0);
    await expectDelivered("/notify-edited", afterDelete.callId, 0);
  });
});

describe("a data look-up changed over the REST API routes the next call by the new answer", () => {
  it("follows a new URL and a new response mapping", async () => {
    const lookupBody = { kind: "data_lookup", name: "Live owner look-up", url: crm.url("/lookup-a"), timeout_ms: 2_000 };
    const lookup = await ok("/outbound-apis", { method: "POST", body: lookupBody });
    await publish(
      flowDocument(
        "Live configuration",
        [
          { id: "lookup", type: "data_lookup", config: { outbound_api_id: lookup.id } },
          { id: "dial", type: "dial_extension", config: { extension: "{{ lookup.extension | default: '101' }}", ring_timeout_s: 20 } },
        ],
        ports,
      ),
    );
    expect(answeredBy(await placeCall())).toBe("103");

    const mapping = { extension: "$.owner.ext", contact_id: "", contact_name: "", variables: "" };
    await ok(`/outbound-apis/${lookup.id}`, { method: "PUT", body: { ...lookupBody, url: crm.url("/lookup-b"), response_mapping: mapping } });
    expect(answeredBy(await placeCall())).toBe("104");

    await publish(dialFlow("101"));
    expect((await api(`/outbound-apis/${lookup.id}`, { method: "DELETE" })).status).toBe(204);
  });
});

describe("the PBX follows changes on the next call", () => {
  it("rings the extension of a newly published flow revision", async () => {
    await publish(dialFlow("104"));
    expect(answeredBy(await placeCall())).toBe("104");
    await publish(dialFlow("101"));
    expect(answeredBy(await placeCall())).toBe("101");
  });

  it("forwards when a rule is set over the API and stops when it is deleted", async () => {
    await ok("/extensions/101/forwarding/unconditional", { method: "PUT", body: { enabled: true, destination: { type: "extension", number: "103" } } });
    expect(answeredBy(await placeCall())).toBe("103");
    expect((await api("/extensions/101/forwarding/unconditional", { method: "DELETE" })).status).toBe(204);
    expect(answeredBy(await placeCall())).toBe("101");
  });

  it("takes a phone's new simulator behaviour on the next call", async () => {
    await setPhone("101", "busy");
    const busy = await placeCall();
    expect(answeredBy(busy)).toBeNull();
    expect(busy.trace.find((step) => step.node_id === "dial")?.branch).toBe("busy");
    await setPhone("101", "answer");
    expect(answeredBy(await placeCall())).toBe("101");
  });
});

describe("changes made in the portal reach the runtime", () => {
  it("creates, disables, re-enables and deletes an end-of-call hook on the API access page", async () => {
    await page.goto(`${baseUrl}/api-access`);
    await page.getByRole("button", { name: "Add: End-of-call data API" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Portal CDR");
    await page.getByLabel("URL", { exact: true }).fill(crm.url("/portal-cdr"));
    await page.getByLabel("On every call").check();
    await page.getByRole("button", { name: "Save" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Signing secret" });
    await expect.poll(() => secretDialog.getByTestId("secret-signing_secret").count(), slow).toBe(1);
    const firstSecret = (await secretDialog.getByTestId("secret-signing_secret").textContent()) ?? "";
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();

    const first = await placeCall();
    const [delivered] = await expectDelivered("/portal-cdr", first.callId, 1);
    expect(verifies(delivered, firstSecret)).toBe(true);

    await page.getByRole("button", { name: "Disable: Portal CDR" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Enable: Portal CDR" }).count(), slow).toBe(1);
    await expectDelivered("/portal-cdr", (await placeCall()).callId, 0);

    await page.getByRole("button", { name: "Enable: Portal CDR" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Disable: Portal CDR" }).count(), slow).toBe(1);
    await expectDelivered("/portal-cdr", (await placeCall()).callId, 1);

    // Signing-secret rotation with a grace period: each message carries both signatures…
    await page.getByRole("button", { name: "New signing secret: Portal CDR" }).click();
    const rotateDialog = page.getByRole("dialog", { name: "New signing secret for Portal CDR" });
    await rotateDialog.getByLabel("Old secret keeps signing for").selectOption("24");
    await rotateDialog.getByRole("button", { name: "New signing secret" }).click();
    await expect.poll(() => secretDialog.getByTestId("secret-signing_secret").count(), slow).toBe(1);
    const secondSecret = (await secretDialog.getByTestId("secret-signing_secret").textContent()) ?? "";
    expect(secondSecret).not.toBe(firstSecret);
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();
    const [duringGrace] = await expectDelivered("/portal-cdr", (await placeCall()).callId, 1);
    expect([verifies(duringGrace, firstSecret), verifies(duringGrace, secondSecret)]).toEqual([true, true]);

    // …until the grace period is over (moved into the past by another process, as time passing would).
    const db = new Database(path.join(dataDir, "switchboard.db"));
    try {
      db.prepare("update outbound_apis set previous_signing_secret_expires_at = ? where name = 'Portal CDR'").run(Date.now() - 1_000);
    } finally {
      db.close();
    }
    const [afterGrace] = await expectDelivered("/portal-cdr", (await placeCall()).callId, 1);
    expect([verifies(afterGrace, firstSecret), verifies(afterGrace, secondSecret)]).toEqual([false, true]);

    await page.getByRole("button", { name: "Delete: Portal CDR" }).click();
    await page.getByRole("dialog", { name: "Delete Portal CDR?" }).getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Delete: Portal CDR" }).count(), slow).toBe(0);
    await expectDelivered("/portal-cdr", (await placeCall()).callId, 0);
  });

  it("switches an incoming-call notification from ringing to answered in the form", async () => {
    await page.goto(`${baseUrl}/api-access`);
    await page.getByRole("button", { name: "Add: Incoming-call notification API" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Portal popup");
    await page.getByLabel("URL", { exact: true }).fill(crm.url("/portal-popup"));
    await page.getByLabel("On every call").check();
    await page.getByRole("button", { name: "Save" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Signing secret" });
    await expect.poll(() => secretDialog.getByTestId("secret-signing_secret").count(), slow).toBe(1);
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();
    const [ringing] = await expectDelivered("/portal-popup", (await placeCall()).callId, 1);
    expect(bodyOf(ringing).data.trigger).toBe("ringing");

    await page.getByRole("button", { name: "Edit: Portal popup" }).click();
    await page.getByLabel("Moment (every-call notifications)").selectOption("answered");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("heading", { name: "Edit Portal popup" }).count(), slow).toBe(0);
    await expect.poll(() => page.getByRole("listitem").filter({ hasText: "Portal popup" }).getByText("on answer", { exact: true }).count(), slow).toBe(1);
    const [answered] = await expectDelivered("/portal-popup", (await placeCall()).callId, 1);
    expect(bodyOf(answered).data.trigger).toBe("answered");
    await screenshot(page, "live-config-api-access");

    await page.getByRole("button", { name: "Delete: Portal popup" }).click();
    await page.getByRole("dialog", { name: "Delete Portal popup?" }).getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Delete: Portal popup" }).count(), slow).toBe(0);
  });

  it("forwards by a rule set in the portal and stops when the rule is switched off", async () => {
    await page.goto(`${baseUrl}/extensions`);
    await page.getByRole("button", { name: "Forwarding of 101" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Forward every call").check();
    await dialog.getByRole("group", { name: "Always" }).getByLabel("Extension", { exact: true }).last().selectOption("104");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.count(), slow).toBe(0);
    expect(answeredBy(await placeCall())).toBe("104");

    await page.getByRole("button", { name: "Forwarding of 101" }).click();
    await dialog.getByLabel("Forward every call").uncheck();
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.count(), slow).toBe(0);
    expect(answeredBy(await placeCall())).toBe("101");
  });

  it("dials an extension added in the portal from a published flow", async () => {
    await page.goto(`${baseUrl}/extensions`);
    await page.getByRole("button", { name: "Add extension" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Extension number").fill("150");
    await dialog.getByLabel("Display name").fill("Live desk");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "Live desk" }).count(), slow).toBe(1);

    await setPhone("150", "answer");
    await publish(dialFlow("150"));
    expect(answeredBy(await placeCall())).toBe("150");
    await publish(dialFlow("101"));
  });
});

describe("technical users changed in the portal are checked on the next request", () => {
  it("narrows scopes, rotates the secret and revokes, each effective at once", async () => {
    const client = createTechnicalUser(dataDir, "Live scopes client");
    const auth = basicOf(client);
    expect((await api("/users", { auth })).status).toBe(200);

    await page.goto(`${baseUrl}/api-access?tab=users`);
    await page.getByRole("button", { name: "Edit: Live scopes client" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("users:read").uncheck();
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.count(), slow).toBe(0);
    expect((await api("/users", { auth })).status).toBe(403);
    expect((await api("/agents/status", { auth })).status).toBe(200);

    await page.getByRole("button", { name: "New secret: Live scopes client" }).click();
    await page.getByRole("dialog").getByLabel("Old secret keeps working for").selectOption("0");
    await page.getByRole("dialog").getByRole("button", { name: "New secret" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Credentials of the technical user" });
    await expect.poll(() => secretDialog.getByTestId("secret-client_secret").count(), slow).toBe(1);
    const rotated = basicOf({ client_id: client.client_id, client_secret: (await secretDialog.getByTestId("secret-client_secret").textContent()) ?? "" });
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();
    expect((await api("/agents/status", { auth: rotated })).status).toBe(200);
    expect((await api("/agents/status", { auth })).status).toBe(401);

    await page.getByRole("button", { name: "Revoke: Live scopes client" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Revoke: Live scopes client" }).count(), slow).toBe(0);
    expect((await api("/agents/status", { auth: rotated })).status).toBe(401);
  });
});

describe("settings changed in the portal apply to what happens next", () => {
  it("gives a user created after the default language changed that language", async () => {
    const setDefaultLanguage = async (locale: "en" | "hu") => {
      await page.goto(`${baseUrl}/settings`);
      await page.getByLabel("Default language for new users").selectOption(locale);
      await page.getByRole("button", { name: "Save settings" }).click();
      await expect.poll(() => page.getByText("Settings saved.").count(), slow).toBe(1);
    };
    await setDefaultLanguage("hu");
    const newcomer = { email: "uj.kollega@example.com", password: "a long enough password" };
    await page.goto(`${baseUrl}/extensions?tab=users`);
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Last name").fill("Új");
    await dialog.getByLabel("First name").fill("Kolléga");
    await dialog.getByLabel("E-mail address").fill(newcomer.email);
    await dialog.getByLabel("Password").fill(newcomer.password);
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("cell", { name: newcomer.email }).count(), slow).toBe(1);
    await setDefaultLanguage("en");

    const other = await browser.newContext({ locale: "en-US" });
    const newcomerPage = await other.newPage();
    await newcomerPage.goto(`${baseUrl}/login`);
    await newcomerPage.getByLabel(/E-mail/).fill(newcomer.email);
    await newcomerPage.getByLabel(/Password|Jelszó/).fill(newcomer.password);
    await newcomerPage.getByRole("button", { name: /Sign in|Bejelentkezés/ }).click();
    await newcomerPage.waitForURL(`${baseUrl}/`);
    await expect.poll(() => newcomerPage.evaluate(() => document.documentElement.lang), slow).toBe("hu");
    await other.close();
  });
});
