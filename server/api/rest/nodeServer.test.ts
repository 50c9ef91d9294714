/**
 * The production server's /api/v1 listener: routing to the registered
 * operations, and what Next did for route files (HEAD, OPTIONS, 404) — plus
 * the 405 with `Allow` Next did not give. The answers' equivalence with
 * `next start` is checked on the production build (tests/e2e/apiServer.e2e.ts).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupApiTest, type ApiTestContext } from "./testing/harness";
import { createApiListener, isApiRequest } from "./nodeServer";

let ctx: ApiTestContext;
let server: http.Server;
let origin: string;

beforeAll(async () => {
  ctx = await setupApiTest({ demo: true });
  server = http.createServer(createApiListener());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.cleanup();
});

const send = (pathname: string, init: RequestInit = {}) => fetch(`${origin}${pathname}`, { ...init, headers: { authorization: ctx.auth, ...init.headers } });

describe("the /api/v1 listener", () => {
  it("routes to the operation, path parameters decoded", async () => {
    const list = await send("/api/v1/users");
    expect(list.status).toBe(200);
    const { items } = await list.json();
    const one = await send(`/api/v1/users/${encodeURIComponent(items[0].id)}`);
    expect(one.status).toBe(200);
    expect((await one.json()).email).toBe(items[0].email);
    expect(one.headers.get("x-content-type-options")).toBe("nosniff");
    expect(one.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("prefers a fixed segment to a parameter in the same place, as Next does", async () => {
    const validate = await send("/api/v1/flows/validate", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(validate.status).toBe(200); // the validate operation's verdict on an empty document, not a flow called "validate"
    expect(await validate.json()).toMatchObject({ valid: false });
    const get = await send("/api/v1/flows/validate");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("OPTIONS, POST");
  });

  it("answers HEAD like GET without a body, and OPTIONS with the allowed methods", async () => {
    const get = await send("/api/v1/users");
    const head = await send("/api/v1/users", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json");
    expect(head.headers.get("content-length")).toBe(get.headers.get("content-length"));
    expect(await head.text()).toBe("");
    const options = await send("/api/v1/users", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("answers an unknown path with 404 and a method the path lacks with 405 problem+json naming what it allows", async () => {
    const unknown = await send("/api/v1/no/such/thing");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, code: "not_found" });
    const refused = await send("/api/v1/users", { method: "DELETE" });
    expect(refused.status).toBe(405);
    expect(refused.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(await refused.json()).toMatchObject({ status: 405, code: "method_not_allowed" });
  });

  it("takes only paths under /api/v1/ without a trailing slash (Next redirects those, as before)", () => {
    expect(isApiRequest("/api/v1/users?limit=1")).toBe(true);
    expect(isApiRequest("/api/v1/users/")).toBe(false);
    expect(isApiRequest("/api/v1/")).toBe(false);
    expect(isApiRequest("/api/v10/users")).toBe(false);
    expect(isApiRequest("/api/trpc/x")).toBe(false);
  });
});
