/**
 * SWITCHBOARD_ROLES on the production build (issue #12, server/runtime/README.md "Several processes"):
 * a bad value or a part of the roles on SQLite stops `npm start`; on PostgreSQL three processes share one
 * database — a `web` process and two `api,runtime` processes — and each serves only its roles; a hang-up
 * sent to the process that does not own the call reaches the owner and ends it; a SIGKILLed runtime's
 * call is closed by the other runtime with one `system_restart` final CDR.
 * The PostgreSQL part is skipped without TEST_DATABASE_URL (.ci/run starts a cluster and sets it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgres, testDatabaseUrl } from "../helpers/postgres";
import { countLiveCallsQueries, launchBrowser, screenshot, signInAsAdmin } from "./browser";
import { basicOf, createTechnicalUser, restClient } from "./rest";
import { startServer, untilHealthy, type RunningServer } from "./server";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-roles-e2e-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("SWITCHBOARD_ROLES refused at start", () => {
  it("stops npm start naming the variable for an unknown role, and asks for PostgreSQL for a part of the roles on SQLite", async () => {
    await expect(startServer(tempDir(), { SWITCHBOARD_ROLES: "web,apis", SWITCHBOARD_SECRET: "s" })).rejects.toThrow(
      /Switchboard cannot start: .*SWITCHBOARD_ROLES: must be a comma-separated list of web, api, runtime, worker, each at most once \(unknown: apis\)/,
    );
    await expect(startServer(tempDir(), { SWITCHBOARD_ROLES: "runtime", SWITCHBOARD_SECRET: "s" })).rejects.toThrow(
      /Switchboard cannot start: .*SWITCHBOARD_ROLES: .*several processes.*DATABASE_URL=postgres:\/\//,
    );
  }, 120_000);
});

if (!testDatabaseUrl) console.warn("tests/e2e/roles.e2e.ts: the PostgreSQL part is skipped: set TEST_DATABASE_URL (eval \"$(scripts/pg-cluster.sh start)\")");

describe.skipIf(!testDatabaseUrl)("several processes on one PostgreSQL database", () => {
  let database: Awaited<ReturnType<typeof createTestPostgres>>;
  let web: RunningServer;
  let first: RunningServer;
  let second: RunningServer;
  let auth: string;
  const secret = crypto.randomBytes(24).toString("base64url");

  const start = async (roles: string) => {
    const server = await startServer(tempDir(), { DATABASE_URL: database.url, SWITCHBOARD_SECRET: secret, SWITCHBOARD_ROLES: roles });
    await untilHealthy(server);
    return server;
  };
  const sql = async (text: string, params: unknown[] = []) => (await database.db.$client.query(text, params)).rows as Array<Record<string, unknown>>;
  const health = async (server: RunningServer) => (await fetch(`${server.baseUrl}/health`)).json() as Promise<{ status: string; roles: string[]; runtime_id: string | null }>;
  /** A call from `from` to a phone that never answers (its behaviour set through `phoneVia`), placed through the first process: its id once the first runtime owns it. */
  const ringingCallOnFirst = async (phoneVia: RunningServer, from: string, to: string): Promise<string> => {
    await restClient(phoneVia.baseUrl, () => auth).ok(`/simulator/phones/${to}`, { method: "PUT", body: { behavior: "no_answer" } });
    const { call_id: callId } = await restClient(first.baseUrl, () => auth).ok("/simulator/calls", { method: "POST", body: { from, to } });
    const owner = (await health(first)).runtime_id;
    await expect.poll(async () => (await sql("select runtime_id from open_calls where call_id = $1", [callId]))[0]?.runtime_id, { timeout: 5_000 }).toBe(owner);
    return callId;
  };

  beforeAll(async () => {
    database = await createTestPostgres(testDatabaseUrl!);
    // One after the other: the first migrates and seeds the demo, the others find it done.
    web = await start("web");
    first = await start("api,runtime");
    second = await start("api,runtime");
    auth = basicOf(createTechnicalUser(tempDir(), "E2E roles", { DATABASE_URL: database.url }));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([web, first, second].map((server) => server?.stop()));
    await database?.drop();
  });

  it("serves each process's roles only, says them on /health, and keeps the internal endpoint closed without the key", async () => {
    expect(await health(web)).toEqual({ status: "ok", roles: ["web"], runtime_id: null });
    const firstHealth = await health(first);
    expect(firstHealth).toMatchObject({ status: "ok", roles: ["api", "runtime"] });
    expect(firstHealth.runtime_id).toMatch(/^rt_/);

    // web: pages yes, the API no (a problem, as for an unknown API path).
    expect((await fetch(`${web.baseUrl}/login`)).status).toBe(200);
    const apiOnWeb = await fetch(`${web.baseUrl}/api/v1/users`, { headers: { authorization: auth } });
    expect(apiOnWeb.status).toBe(404);
    expect(apiOnWeb.headers.get("content-type")).toContain("application/problem+json");
    expect((await apiOnWeb.json()).detail).toMatch(/does not serve the API/);

    // api,runtime: the API yes, pages, tRPC and sign-in no.
    expect((await fetch(`${first.baseUrl}/api/v1/users`, { headers: { authorization: auth } })).status).toBe(200);
    for (const pathname of ["/login", "/", "/api/trpc/settings.get", "/api/auth/csrf"]) {
      const response = await fetch(`${first.baseUrl}${pathname}`, { redirect: "manual" });
      expect(response.status, pathname).toBe(404);
      expect(response.headers.get("content-type"), pathname).toContain("text/plain");
    }

    // The internal endpoint: 404 without the key or with a wrong one, on a runtime and elsewhere.
    const command = JSON.stringify({ command: "agentStates", input: {}, ownerOnly: false });
    for (const authorization of [undefined, "Bearer not-the-key", auth]) {
      const headers: Record<string, string> = { "content-type": "application/json", ...(authorization ? { authorization } : {}) };
      expect((await fetch(`${first.baseUrl}/internal/runtime`, { method: "POST", headers, body: command })).status).toBe(404);
    }
    expect((await fetch(`${web.baseUrl}/internal/runtime`, { method: "POST", body: command })).status).toBe(404);
  });

  it("a hang-up sent to the process that does not own the call reaches the owner and ends the call", async () => {
    const viaFirst = restClient(first.baseUrl, () => auth);
    const viaSecond = restClient(second.baseUrl, () => auth);
    // Every runtime's simulated phone learns the behaviour, wherever the request lands: here through the second.
    const callId = await ringingCallOnFirst(second, "103", "101");

    // The second process has no such call in its runtime: it forwards to the first and shows it live.
    expect((await viaSecond.ok(`/calls/${callId}`)).status).toBe("ringing");
    expect((await viaSecond.api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status).toBe(204);
    await expect.poll(async () => (await viaFirst.ok(`/calls/${callId}`)).status, { timeout: 5_000 }).toBe("ended");
    // On PostgreSQL the final CDR is committed a few milliseconds after the call ends (server/runtime/README.md).
    await expect.poll(async () => (await sql("select count(*)::int as n from cdrs where call_id = $1 and is_final", [callId]))[0].n, { timeout: 5_000 }).toBe(1);
    // A call nobody has: the same 404 problem as on one process.
    expect((await viaSecond.api("/simulator/calls/no-such-call/hangup", { method: "POST" })).status).toBe(404);
  });

  it("the live calls tab of a web process shows a call a runtime process answered, and its end, through the stream without a poll", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signInAsAdmin(page, web.baseUrl);
      await page.goto(`${web.baseUrl}/calls`);
      await expect.poll(() => page.getByText("No calls in progress.").count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => page.getByRole("status").filter({ hasText: /^Live$/ }).count(), { timeout: 15_000 }).toBe(1);
      const polls = countLiveCallsQueries(page);

      const viaFirst = restClient(first.baseUrl, () => auth);
      const startedAt = Date.now();
      const { call_id: callId } = await viaFirst.ok("/simulator/calls", { method: "POST", body: { from: "+36301112233", to: "+3612345678" } });
      const live = page.getByRole("table", { name: "Live calls" });
      await expect.poll(() => live.getByRole("cell", { name: /László Varga/ }).count(), { timeout: 10_000, interval: 50 }).toBe(1);
      console.log(`live calls (web process, runtime elsewhere): the call was on the page ${Date.now() - startedAt} ms after it was placed`);
      await screenshot(page, "roles-live-calls-web");
      expect((await viaFirst.api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status).toBe(204);
      await expect.poll(() => page.getByText("No calls in progress.").count(), { timeout: 10_000 }).toBe(1);
      expect(polls()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("the overview of a web process shows a look-up breaker a runtime process opened", async () => {
    const viaFirst = restClient(first.baseUrl, () => auth);
    // A CRM that is not there: every look-up fails at once (connection refused), five in a row open the breaker.
    const lookup = await viaFirst.ok("/outbound-apis", { method: "POST", body: { kind: "data_lookup", name: "Absent CRM", url: "http://127.0.0.1:9/lookup", timeout_ms: 500 } });
    const nodes = [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "crm", type: "data_lookup", position: { x: 200, y: 0 }, config: { outbound_api_id: lookup.id } },
      { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
    ];
    const edges = [{ id: "e1", source: "start", source_port: "next", target: "crm" }, ...["found", "not_found", "error"].map((port) => ({ id: `e-${port}`, source: "crm", source_port: port, target: "bye" }))];
    const flow = await viaFirst.ok("/flows", { method: "POST", body: { schema_version: 1, name: "Look-up only", nodes, edges } });
    await viaFirst.ok(`/flows/${flow.id}/publish`, { method: "POST" });
    const did = "+3612340099";
    await viaFirst.ok(`/numbers/${encodeURIComponent(did)}`, { method: "PUT", body: { flow_id: flow.id, label: "Look-up only" } });

    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await signInAsAdmin(page, web.baseUrl);
      // What the overview page of the web process gets (its tRPC query, as the signed-in admin).
      const breakerShown = async () => {
        const body = await page.evaluate(async () => (await fetch("/api/trpc/overview.hooks")).json());
        const hooks = (body.result.data.json ?? body.result.data) as Array<{ outbound_api_id: string; breaker: string | null }>;
        return hooks.find((hook) => hook.outbound_api_id === lookup.id)?.breaker;
      };
      expect(await breakerShown()).toBe("closed");
      // Calls on the first process's runtime (a new call runs where it is placed); each takes the error branch.
      for (let i = 0; i < 5; i++) {
        const { call_id: callId } = await viaFirst.ok("/simulator/calls", { method: "POST", body: { from: "+36301112233", to: did } });
        await expect.poll(async () => (await viaFirst.ok(`/calls/${callId}`)).status, { timeout: 10_000 }).toBe("ended");
      }
      // The web process has no breaker of its own: it shows what the runtime published with its heartbeat (every 2 s).
      await expect.poll(breakerShown, { timeout: 10_000 }).toBe("open");
      await page.goto(web.baseUrl);
      await expect.poll(() => page.getByText("Absent CRM", { exact: true }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await screenshot(page, "roles-overview-breaker-web");
    } finally {
      await browser.close();
      await viaFirst.api(`/numbers/${encodeURIComponent(did)}`, { method: "DELETE" });
      await viaFirst.api(`/outbound-apis/${lookup.id}`, { method: "DELETE" });
    }
  }, 90_000);

  it("a SIGKILLed runtime's call is closed by the other runtime with one system_restart final CDR", async () => {
    const viaSecond = restClient(second.baseUrl, () => auth);
    const victim = (await health(first)).runtime_id;
    const callId = await ringingCallOnFirst(first, "104", "102");

    first.child.kill("SIGKILL");
    // Heartbeat every 2 s; a counter the other runtime has seen stand still for 10 s counts as gone (server/runtime/registry.ts).
    await expect.poll(async () => (await viaSecond.ok(`/calls/${callId}`)).status, { timeout: 25_000, interval: 500 }).toBe("ended");
    const finals = await sql("select document from cdrs where call_id = $1 and is_final", [callId]);
    expect(finals).toHaveLength(1);
    expect(JSON.parse(finals[0].document as string)).toMatchObject({ disposition: "failed", hangup_cause: "system_restart" });
    expect(await sql("select count(*)::int as n from open_calls")).toEqual([{ n: 0 }]);
    expect((await sql("select id from runtime_instances")).map((row) => row.id)).not.toContain(victim);
  }, 40_000);
});
