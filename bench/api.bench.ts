/**
 * Public API overhead: `GET /api/v1/phonebook/contacts?search=…` over 10,000
 * contacts through the real route handler (auth, scope, rate limit,
 * validation, mapping, problem handling — everything but Next's router),
 * against a bare node:http server making the same service call. Goal: the
 * API keeps ≥ 0.5 of the bare server's requests/s. The phonebook search is
 * dominated by SQLite, so `GET /users` (a cheap query) is measured the same
 * way to show the framework's own cost.
 *
 * Run: `npx tsx bench/api.bench.ts` (not part of `npm test`). The servers run
 * in a child process and autocannon in another, so the load generator does
 * not steal the servers' event loop. Medians of 3 runs after a warm-up.
 */
import { fork, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { median, report, round } from "./stats";

const CONTACTS = 10_000;
const CONNECTIONS = 50;
/** The phonebook search scans 10,000 folded texts per request: runs long enough to complete a few thousand. */
const SEARCH_RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = 3;
const SEARCH = "nagy";

interface Ready {
  apiPort: number;
  barePort: number;
  authorization: string;
}

// ── child: both servers over one database ─────────────────────────────────

async function serve(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-api-bench-"));
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    SWITCHBOARD_SECRET: "bench-secret-0123456789abcdef",
    API_RATE_LIMIT_PER_S: "1000000000",
    API_RATE_LIMIT_BURST: "1000000000",
  });
  process.env.LOG_LEVEL ??= "silent";
  // Imported after the environment is set: config, logger and settings read it once.
  const { getDb } = await import("@/server/db/client");
  const { createTechnicalUser } = await import("@/server/services/technicalUsers");
  const phonebook = await import("@/server/services/phonebook");
  const operations = await import("@/server/api/rest/operations/operations");
  const users = await import("@/server/api/rest/operations/users");
  const userService = await import("@/server/services/users");
  const { installPeerAddressHeader } = await import("@/server/api/rest/clientIp");
  installPeerAddressHeader();

  const db = getDb();
  insertContacts(db.$client);
  phonebook.backfillContactSearch(db); // rows inserted raw get their search columns, as at start-up
  const { seedDemo } = await import("@/server/services/demo");
  seedDemo(db);
  const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: "bench", scopes: ["phonebook:read", "users:read"] });
  const authorization = `Basic ${Buffer.from(`${technicalUser.clientId}:${clientSecret}`).toString("base64")}`;

  const routes: Record<string, (request: Request, context: { params: Promise<unknown> }) => Promise<Response>> = {
    "/api/v1/phonebook/contacts": operations.listContacts,
    "/api/v1/users": users.listUsers,
  };
  const api = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const route = routes[new URL(req.url ?? "/", "http://127.0.0.1").pathname];
    const response = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }), { params: Promise.resolve({}) });
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(await response.text());
  });
  // The same service calls, with none of the API's work around them.
  const bare = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const allUsers = url.pathname === "/api/v1/users" ? userService.listUsers(db) : null;
    const result = allUsers
      ? { items: allUsers.slice(0, 50), total: allUsers.length }
      : phonebook.listContacts(db, { search: url.searchParams.get("search") ?? undefined, limit: 50, offset: 0 });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(result));
  });
  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  const ready: Ready = { apiPort: await listen(api), barePort: await listen(bare), authorization };
  process.send?.(ready);
  process.on("disconnect", () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

function insertContacts(sqlite: import("better-sqlite3").Database): void {
  const firstNames = ["Anna", "Péter", "Eszter", "Gábor", "Judit", "László", "Katalin", "Zoltán", "Erika", "István", "Mária", "Ferenc"];
  const lastNames = ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas", "Balogh", "Papp"];
  const contact = sqlite.prepare("insert into phonebook_contacts (id, first_name, last_name, company, email) values (?, ?, ?, ?, ?)");
  const number = sqlite.prepare("insert into phonebook_numbers (contact_id, position, type, number) values (?, ?, ?, ?)");
  sqlite.transaction(() => {
    for (let i = 0; i < CONTACTS; i++) {
      const id = `con_bench${String(i).padStart(6, "0")}`;
      const first = firstNames[i % firstNames.length];
      const last = lastNames[Math.floor(i / firstNames.length) % lastNames.length];
      contact.run(id, first, last, `Company ${i % 700} Kft.`, `${first}.${i}@example.com`.toLowerCase());
      number.run(id, 0, "mobile", `+3630${String(1_000_000 + i).padStart(7, "0")}`);
      if (i % 3 === 0) number.run(id, 1, "work", `+361${String(2_000_000 + i).padStart(7, "0")}`);
    }
  })();
}

// ── parent: load with autocannon ──────────────────────────────────────────

interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
}

function load(url: string, authorization: string, seconds: number): LoadResult {
  const cli = path.join(process.cwd(), "node_modules/autocannon/autocannon.js");
  const args = [cli, "-c", String(CONNECTIONS), "-d", String(seconds), "-t", "60", "-j", "-H", `authorization=${authorization}`, url];
  const run = spawnSync(process.execPath, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`autocannon failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { requests: { total: number }; duration: number; latency: { p99: number }; non2xx: number };
  // Completed requests over the run (autocannon's per-second average hides slow endpoints' sparse seconds).
  return { rps: result.requests.total / result.duration, p99: result.latency.p99, non2xx: result.non2xx };
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Ready));
    child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const figures: Record<string, unknown> = { contacts: CONTACTS, connections: CONNECTIONS, goal_ratio: 0.5 };
  for (const [name, query, seconds] of [
    ["phonebook_search", `/api/v1/phonebook/contacts?search=${SEARCH}`, SEARCH_RUN_SECONDS],
    ["users", "/api/v1/users", RUN_SECONDS],
  ] as const) {
    Object.assign(figures, prefixed(name, await compare(ready, query, seconds)));
  }
  child.disconnect();
  report("api", { ...figures, request_logging: process.env.LOG_LEVEL !== undefined && process.env.LOG_LEVEL !== "silent" });
}

function prefixed(prefix: string, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}_${key}`, value]));
}

async function compare(ready: Ready, query: string, seconds: number): Promise<Record<string, unknown>> {
  const apiUrl = `http://127.0.0.1:${ready.apiPort}${query}`;
  const bareUrl = `http://127.0.0.1:${ready.barePort}${query}`;
  const check = await fetch(apiUrl, { headers: { authorization: ready.authorization } });
  const body = (await check.json()) as { total?: number };
  if (check.status !== 200 || !body.total) throw new Error(`the API answered ${check.status}: ${JSON.stringify(body).slice(0, 300)}`);

  load(apiUrl, ready.authorization, 5); // warm-up: JIT, caches, the verified-credentials cache
  load(bareUrl, ready.authorization, 5);
  const api: LoadResult[] = [];
  const bare: LoadResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so drift on a shared machine hits both alike.
    api.push(load(apiUrl, ready.authorization, seconds));
    bare.push(load(bareUrl, ready.authorization, seconds));
  }
  if ([...api, ...bare].some((r) => r.non2xx > 0)) throw new Error("some requests failed");
  const apiRps = median(api.map((r) => r.rps));
  const bareRps = median(bare.map((r) => r.rps));
  return {
    endpoint: `GET ${query}`,
    run_seconds: seconds,
    matching: body.total,
    api_rps: round(apiRps, 1),
    bare_rps: round(bareRps, 1),
    ratio: round(apiRps / bareRps, 2),
    api_p99_ms: median(api.map((r) => r.p99)),
    bare_p99_ms: median(bare.map((r) => r.p99)),
  };
}

if (process.argv.includes("--serve")) void serve();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
