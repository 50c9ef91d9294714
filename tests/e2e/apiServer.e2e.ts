/**
 * `/api/v1` on the production server (`npm start`: Node's req/res through
 * the same operations) behaves as it did under `next start` (App Router
 * route handlers): the same requests against both, on one build and one data
 * folder, give the same status, body and headers — problem+json errors,
 * HEAD, OPTIONS, large and oversized bodies, the OpenAPI document — and
 * Next's pages are still served. Where the production server deliberately
 * differs (405 names the allowed methods), the test says so.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basicOf, createTechnicalUser } from "./rest";
import { startNextStart, startServer, type RunningServer } from "./server";

let product: RunningServer;
let nextStart: RunningServer;
let dataDir: string;
let basic: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(`${os.tmpdir()}/switchboard-e2e-transport-`);
  // The product first: it migrates and seeds the folder; `next start` then opens the same database.
  product = await startServer(dataDir);
  nextStart = await startNextStart(dataDir);
  basic = basicOf(createTechnicalUser(dataDir, "Transport comparison"));
});

afterAll(async () => {
  await nextStart?.stop();
  await product?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Exchange {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

/** Headers a client may act on; framing (chunked or content-length), date and keep-alive legitimately differ. */
const COMPARED_HEADERS = [
  "content-type",
  "cache-control",
  "www-authenticate",
  "retry-after",
  "etag",
  "location",
  "allow",
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "referrer-policy",
  "permissions-policy",
];

async function exchange(server: RunningServer, pathname: string, init: RequestInit & { auth?: string | null } = {}): Promise<Exchange> {
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set("authorization", init.auth ?? basic);
  const response = await fetch(`${server.baseUrl}${pathname}`, { ...init, headers, redirect: "manual" });
  return { status: response.status, headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)])), body: await response.text() };
}

async function both(pathname: string, init: RequestInit & { auth?: string | null } = {}): Promise<{ now: Exchange; before: Exchange }> {
  return { now: await exchange(product, pathname, init), before: await exchange(nextStart, pathname, init) };
}

const json = (body: unknown): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("/api/v1 on the production server against next start", () => {
  it.each([
    ["a list", "/api/v1/users", {}],
    ["a list with a query", "/api/v1/users?search=anna&limit=1", {}],
    ["one resource with an ETag", "/api/v1/extensions/101/forwarding", {}],
    ["no credentials (401 with a challenge)", "/api/v1/users", { auth: null }],
    ["a bad query (400 naming the field)", "/api/v1/users?limit=abc", {}],
    ["an unknown path (404)", "/api/v1/no/such/operation", {}],
    ["an unknown id (404)", "/api/v1/users/usr_nobody", {}],
    ["malformed JSON (400)", "/api/v1/flows/validate", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" }],
    ["a body that is not JSON (415)", "/api/v1/flows/validate", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }],
    ["a body over the 1 MiB cap (413)", "/api/v1/flows/validate", json({ padding: "x".repeat(1_100_000) })],
    ["a large body within the cap (400 naming the unknown field)", "/api/v1/phonebook/contacts", json({ first_name: "Large", padding: "y".repeat(900_000) })],
    ["OPTIONS of a fixed path beside a parameter (/flows/validate, not /flows/{id})", "/api/v1/flows/validate", { method: "OPTIONS" }],
    ["HEAD of a list", "/api/v1/users", { method: "HEAD" }],
    ["OPTIONS of a path", "/api/v1/users", { method: "OPTIONS" }],
    ["the OpenAPI document", "/api/v1/openapi.json", { auth: null }],
    ["a trailing slash (Next's redirect)", "/api/v1/users/", {}],
  ] as const)("%s", async (_, pathname, init) => {
    const { now, before } = await both(pathname, init as RequestInit & { auth?: string | null });
    expect(now).toEqual(before);
    expect(now.status).toBeGreaterThanOrEqual(200);
  });

  it("creates the same resource with the same answer, apart from its new id", async () => {
    const contact = { first_name: "Éva", last_name: "Transport", numbers: [{ type: "mobile", number: "+36301239876" }] };
    const { now, before } = await both("/api/v1/phonebook/contacts", json(contact));
    expect(now.status).toBe(201);
    const withoutId = (e: Exchange) => ({ ...e, headers: { ...e.headers, location: null, etag: null }, body: { ...JSON.parse(e.body), id: null, created_at: null, updated_at: null } });
    expect(withoutId(now)).toEqual(withoutId(before));
    expect(now.headers.location).toBe(`/api/v1/phonebook/contacts/${JSON.parse(now.body).id}`);
  });

  it.each([
    ["/api/v1/users", "DELETE", "GET, HEAD, OPTIONS"],
    ["/api/v1/flows/validate", "GET", "OPTIONS, POST"],
  ])("answers %s %s, a method the path does not have, with 405 problem+json and the Allow header (next start: an empty 405 without Allow)", async (pathname, method, allow) => {
    const { now, before } = await both(pathname, { method });
    expect(before.status).toBe(405);
    expect(now.status).toBe(405);
    expect(now.headers.allow).toBe(allow);
    expect(now.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(now.body)).toMatchObject({ status: 405, code: "method_not_allowed" });
  });

  it("keeps serving after a client abandons a request body half-way, and stores nothing from it", async () => {
    const { port } = new URL(product.baseUrl);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST /api/v1/phonebook/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"first_name":"Half`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    const after = await exchange(product, "/api/v1/phonebook/contacts?search=Half");
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body).total).toBe(0);
  });

  it("still serves Next's pages, the portal API and static files", async () => {
    for (const pathname of ["/login", "/api/auth/csrf", "/favicon.ico", "/api/docs"]) {
      const { now, before } = await both(pathname, { auth: null });
      expect(now.status, pathname).toBeLessThan(400);
      expect(now.status, pathname).toBe(before.status);
      expect(now.headers["content-type"], pathname).toBe(before.headers["content-type"]);
      expect(now.headers.location, pathname).toBe(before.headers.location);
    }
  });
});
