/**
 * The public API on the production server: the OpenAPI document, the
 * browsable docs under the real CSP, credentials from the CLI, a simulator
 * call, and IP allowlists against the real TCP peer (a client-sent
 * X-Forwarded-For must not get through).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "./browser";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const root = path.resolve(__dirname, "../..");

let browser: Browser;
let credentials: { id: string; client_id: string; client_secret: string };
let basic: string;

beforeAll(async () => {
  browser = await launchBrowser();
  const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", "E2E CRM"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  expect(cli.status, cli.stderr).toBe(0);
  credentials = JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{")));
  basic = `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString("base64")}`;
});

afterAll(async () => {
  await browser?.close();
});

const api = (pathname: string, init: RequestInit & { auth?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set("authorization", init.auth ?? basic);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${baseUrl}/api/v1${pathname}`, { ...init, headers });
};

describe("the public API on the production server", () => {
  it("serves the OpenAPI 3.1 document without credentials", async () => {
    const response = await fetch(`${baseUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = await response.json();
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/calls", "/simulator/calls", "/flows/{id}", "/phonebook/contacts"]));
  });

  it("serves a favicon, so no page load logs a 404", async () => {
    const icon = await fetch(`${baseUrl}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/image\//);
    expect((await icon.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it("answers problem+json for missing credentials and unknown paths", async () => {
    const anonymous = await api("/users", { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
    const unknown = await api("/no-such-thing");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).status).toBe(404);
  });

  it("explains a bad outbound-API URL in English, naming the field with a stable code (no i18n key)", async () => {
    const body = { name: "E2E CRM hook", kind: "end_of_call", url: "crm.example.com/hook", auth: { type: "none" } };
    const refused = await api("/outbound-apis", { method: "POST", body: JSON.stringify(body) });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    const problem = await refused.json();
    expect(problem).toMatchObject({ status: 400, code: "validation_failed", errors: [{ path: "url", field: "url", code: "invalid_url" }] });
    expect(problem.detail).toMatch(/^The request body is invalid: url: .*http/);
    expect(problem.errors[0].message).toBe("Enter a full http:// or https:// address.");
    expect(JSON.stringify(problem)).not.toContain("integration.errors");
  });

  it("exchanges client credentials for a token and places a simulator call with it", async () => {
    const token = await api("/auth/token", { method: "POST", body: JSON.stringify({ grant_type: "client_credentials" }) });
    expect(token.status).toBe(200);
    const bearer = `Bearer ${(await token.json()).access_token}`;
    const users = await api("/users", { auth: bearer });
    expect((await users.json()).total).toBeGreaterThanOrEqual(5);

    const placed = await api("/simulator/calls", { method: "POST", auth: bearer, body: JSON.stringify({ from: "+36301112233", to: "06 1 234 5678" }) });
    expect(placed.status).toBe(201);
    const { call_id } = await placed.json();
    await expect
      .poll(async () => (await (await api(`/simulator/calls/${call_id}`, { auth: bearer })).json()).trace.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    // Outside the demo's opening hours the flow may already have said goodbye and ended the call.
    expect([204, 404]).toContain((await api(`/simulator/calls/${call_id}/hangup`, { method: "POST", auth: bearer })).status);
  });

  it("checks IP allowlists against the TCP peer, not a client-sent X-Forwarded-For", async () => {
    const db = new Database(path.join(dataDir, "switchboard.db"));
    const allow = (list: string[]) => db.prepare("update technical_users set ip_allowlist = ? where id = ?").run(JSON.stringify(list), credentials.id);
    try {
      allow(["198.51.100.7"]);
      expect((await api("/users", { headers: { "x-forwarded-for": "198.51.100.7" } })).status).toBe(403);
      allow(["127.0.0.1"]);
      expect((await api("/users")).status).toBe(200);
    } finally {
      allow([]);
      db.close();
    }
  });
});

describe("the API docs page", () => {
  it("renders every operation from local files with no CSP violation", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const violations: string[] = [];
    const external: string[] = [];
    page.on("console", (message) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith("data:")) external.push(request.url());
    });
    await page.goto(`${baseUrl}/api/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 20_000 }).toBeGreaterThan(20);
    expect(await page.getByText("/simulator/calls/{id}/dtmf").count()).toBeGreaterThan(0);
    expect(await page.getByText(/jsonSchemaDialect|Unable to render|Errors\s*Resolver/).count()).toBe(0); // Swagger UI's own warnings about the document
    await screenshot(page, "api-docs");
    expect(violations).toEqual([]);
    expect(external).toEqual([]);
    await context.close();
  });
});
