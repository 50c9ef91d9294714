/**
 * Public API overhead: `GET /api/v1/phonebook/contacts?search=…` over 10,000
 * contacts and `GET /api/v1/users` (a cheap query, so the framework's own
 * cost shows) through the production server's API listener (`node`: Node's
 * req/res through the `defineOperation` pipeline — auth, scope, rate limit,
 * validation, mapping, problem handling; what `npm start` serves /api/v1
 * with), against a bare node:http server making the same service call. Goal:
 * ≥ 0.5 of the bare server's requests/s and p99 < 20 ms at 50 connections.
 * For comparison, the way /api/v1 was served before (`route`: the same
 * operations as App Router route handlers, behind the fetch
 * `Request`/`Response` pair Next gives them — Next's router itself not
 * included, so this is a lower bound of the old path's cost), and `web`: the
 * same service call behind that pair without our pipeline (bare → web is the
 * Request/Response contract's cost).
 *
 * Run: `npx tsx bench/api.bench.ts` (not part of `npm test`). The servers run
 * in a child process and autocannon in another, so the load generator does
 * not steal the servers' event loop. Medians of 3 runs after a warm-up. Per
 * run the server process also reports its CPU time and GC time per request
 * (steadier than requests/s when other processes share the cores) and its
 * event-loop delay (p99).
 * Then, on the production build (`production_*`), the whole product: `GET
 * /users` through `npm start`'s server (`scripts/start.mjs`) against `next
 * start` on the same build (the App Router path with Next's router), each on
 * its own demo data folder, with the server process's CPU per request
 * (`BENCH_PRODUCTION=0` skips it; it builds first when the build is stale).
 * With a PostgreSQL cluster (`BENCH_DATABASE_URL`, else `TEST_DATABASE_URL`): `pg_node` and `pg_bare`, the
 * same listener and bare server in a second process whose database is a PostgreSQL copy of the same
 * organisation (`db copy`'s implementation), interleaved with the SQLite runs (`pg_vs_sqlite_ratio`); an
 * endpoint PostgreSQL cannot serve yet is named, not measured. Then `processes_users_pg_*`: `GET /users`
 * through one production server against two on one PostgreSQL database, 25 connections on each (the
 * `api` role when the build has SWITCHBOARD_ROLES, else every role), with the CPU of the servers,
 * PostgreSQL and the rest of the machine per request (`BENCH_PROCESSES=0` skips it).
 * `BENCH_ENDPOINTS=users` measures only the named endpoints;
 * `BENCH_CPU_PROF=DIR` writes a CPU profile of the server process during the
 * first measured run of each server (`users-api.cpuprofile`, …), summarised
 * by `npx tsx bench/profileSummary.ts FILE`.
 */
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import inspector from "node:inspector/promises";
import { PerformanceObserver, monitorEventLoopDelay } from "node:perf_hooks";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { median, report, round } from "./stats";
import { startNextStart, startServer, type RunningServer } from "@/tests/e2e/server";

const CONTACTS = 10_000;
const CONNECTIONS = 50;
/** The phonebook search scans 10,000 folded texts per request: runs long enough to complete a few thousand. */
const SEARCH_RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = 3;
const SEARCH = "nagy";
const ENDPOINTS = process.env.BENCH_ENDPOINTS?.split(",") ?? ["phonebook_search", "users"];
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;

interface Ready {
  nodePort: number;
  routePort: number;
  webPort: number;
  barePort: number;
  authorization: string;
}

/** Parent → server process around each measured run; the process answers a `RunStats` to `stop`. */
type RunControl = { run: "start"; profile: boolean } | { run: "stop"; profileFile?: string };
interface RunStats {
  loopDelayP99Ms: number;
  /** CPU time (user + system) the server process used over the run. */
  cpuUs: number;
  /** Time spent in garbage collection over the run. */
  gcMs: number;
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
  const { createApiListener } = await import("@/server/api/rest/nodeServer");
  const { installPeerAddressHeader } = await import("@/server/api/rest/clientIp");
  installPeerAddressHeader();

  const seeded = getDb();
  insertContacts(seeded.$client);
  await phonebook.backfillContactSearch(seeded); // rows inserted raw get their search columns, as at start-up
  const { seedDemo } = await import("@/server/services/demo");
  await seedDemo(seeded);
  const { technicalUser, clientSecret } = await createTechnicalUser(seeded, { name: "bench", scopes: ["phonebook:read", "users:read"] });
  const authorization = `Basic ${Buffer.from(`${technicalUser.clientId}:${clientSecret}`).toString("base64")}`;
  // On PostgreSQL: the same organisation, moved by `db copy`'s implementation, then served by the same services.
  const postgres = process.env.BENCH_SERVE_POSTGRES ? await servedFromPostgres(process.env.BENCH_SERVE_POSTGRES, seeded) : null;
  const db = postgres?.db ?? seeded;

  const routes: Record<string, (request: Request, context: { params: Promise<unknown> }) => Promise<Response>> = {
    "/api/v1/phonebook/contacts": operations.listContacts,
    "/api/v1/users": users.listUsers,
  };
  // The same service calls, with none of the API's work around them.
  const serviceCall = async (url: URL) => {
    const allUsers = url.pathname === "/api/v1/users" ? await userService.listUsers(db) : null;
    return allUsers
      ? { items: allUsers.slice(0, 50), total: allUsers.length }
      : phonebook.listContacts(db, { search: url.searchParams.get("search") ?? undefined, limit: 50, offset: 0 });
  };
  const node = http.createServer(createApiListener());
  const route = webServer((request) => routes[new URL(request.url).pathname](request, { params: Promise.resolve({}) }));
  // What Next's Request/Response contract costs by itself: the service call behind the same adapter, no API pipeline.
  const web = webServer(async (request) => new Response(JSON.stringify(await serviceCall(new URL(request.url))), { headers: { "content-type": "application/json" } }));
  const bare = http.createServer(async (req, res) => {
    const result = await serviceCall(new URL(req.url ?? "/", "http://127.0.0.1"));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(result));
  });
  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  const ready: Ready = { nodePort: await listen(node), routePort: await listen(route), webPort: await listen(web), barePort: await listen(bare), authorization };
  process.send?.(ready);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  let cpuAtStart = process.cpuUsage();
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ["gc"] });
  let profiler: inspector.Session | null = null;
  process.on("message", (message: RunControl) => {
    void (async () => {
      if (message.run === "start") {
        loopDelay.reset();
        loopDelay.enable();
        if (message.profile) {
          profiler = new inspector.Session();
          profiler.connect();
          await profiler.post("Profiler.enable");
          await profiler.post("Profiler.start");
        }
        cpuAtStart = process.cpuUsage();
        gcMs = 0;
        process.send?.({ started: true });
        return;
      }
      const cpu = process.cpuUsage(cpuAtStart);
      loopDelay.disable();
      if (profiler && message.profileFile) {
        const { profile } = await profiler.post("Profiler.stop");
        fs.writeFileSync(message.profileFile, JSON.stringify(profile));
        profiler.disconnect();
        profiler = null;
      }
      process.send?.({ loopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1), cpuUs: cpu.user + cpu.system, gcMs: Math.round(gcMs) } satisfies RunStats);
    })();
  });
  process.on("disconnect", () => {
    void (async () => {
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

/** Copies the seeded SQLite database into a fresh PostgreSQL database and makes that the process's database (as DATABASE_URL would). */
async function servedFromPostgres(clusterUrl: string, seeded: import("@/server/db/client").Db) {
  const { createTestPostgres } = await import("@/tests/helpers/postgres");
  const { copySqliteToPostgres } = await import("@/server/db/sqliteToPostgres");
  const { closeDatabase, openConfiguredDatabase } = await import("@/server/db/client");
  const { resetConfigForTests } = await import("@/server/config");
  const target = await createTestPostgres(clusterUrl);
  await copySqliteToPostgres(seeded, target.db);
  closeDatabase();
  process.env.DATABASE_URL = target.url;
  resetConfigForTests();
  const db = (await openConfiguredDatabase()) as import("@/server/db/client").Db;
  return { db, drop: () => (closeDatabase(), target.drop()) };
}

/** A node:http server handing each request to `handle` as a fetch `Request` and sending its `Response`, as Next does for route handlers. */
function webServer(handle: (request: Request) => Promise<Response>): http.Server {
  return http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const response = await handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers }));
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(await response.text());
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
  requests: number;
  p99: number;
  non2xx: number;
  loopDelayP99Ms?: number;
  cpuUs?: number;
  gcMs?: number;
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
  return { rps: result.requests.total / result.duration, requests: result.requests.total, p99: result.latency.p99, non2xx: result.non2xx };
}

/** A database cluster for the PostgreSQL rows: each server process clones a fresh migrated database from it. */
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

/** Forks the server process (SQLite, or PostgreSQL with `BENCH_SERVE_POSTGRES`) and waits until its servers listen. */
async function startServing(env: Record<string, string>): Promise<{ process: ChildProcess; ready: Ready }> {
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, ...env } });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Ready));
    child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { process: child, ready };
}

/** Why PostgreSQL cannot serve `url` yet (a service still holding SQLite-only SQL answers 500), or null when it can. */
async function postgresRefuses(url: string, authorization: string): Promise<string | null> {
  const response = await fetch(url, { headers: { authorization } });
  if (response.ok) return null;
  return `the API on PostgreSQL answered ${response.status} (${((await response.text()).match(/"detail":"([^"]*)"/)?.[1] ?? "").slice(0, 120)})`;
}

async function main(): Promise<void> {
  if (CPU_PROFILE_DIR) fs.mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  const endpoints = ([
    ["phonebook_search", `/api/v1/phonebook/contacts?search=${SEARCH}`, SEARCH_RUN_SECONDS],
    ["users", "/api/v1/users", RUN_SECONDS],
  ] as const).filter(([name]) => ENDPOINTS.includes(name));
  // In-process servers only when an endpoint is measured (`BENCH_ENDPOINTS=none` leaves the production rows).
  const child = endpoints.length ? await startServing({}) : null;
  // The same servers over PostgreSQL, in a process of their own (one database per process, as in the product).
  const pgChild = endpoints.length && POSTGRES_URL ? await startServing({ BENCH_SERVE_POSTGRES: POSTGRES_URL }) : null;
  // Other work on a shared machine moves every figure: the load average before and after says how much there was.
  const figures: Record<string, unknown> = { contacts: CONTACTS, connections: CONNECTIONS, goal_ratio: 0.5, goal_p99_ms: 20, load_average_before: round(os.loadavg()[0], 1) };
  if (!POSTGRES_URL) figures.postgres = "skipped: no BENCH_DATABASE_URL or TEST_DATABASE_URL";
  for (const [name, query, seconds] of endpoints) {
    if (!child) break;
    const targets: Target[] = [
      { server: "node", child: child.process, port: child.ready.nodePort, authorization: child.ready.authorization },
      { server: "route", child: child.process, port: child.ready.routePort, authorization: child.ready.authorization },
      { server: "web", child: child.process, port: child.ready.webPort, authorization: child.ready.authorization },
      { server: "bare", child: child.process, port: child.ready.barePort, authorization: child.ready.authorization },
    ];
    if (pgChild) {
      const unsupported = await postgresRefuses(`http://127.0.0.1:${pgChild.ready.nodePort}${query}`, pgChild.ready.authorization);
      if (unsupported) figures[`${name}_pg`] = `not measured: ${unsupported}`;
      else {
        const { authorization } = pgChild.ready;
        targets.push({ server: "pg_node", child: pgChild.process, port: pgChild.ready.nodePort, authorization }, { server: "pg_bare", child: pgChild.process, port: pgChild.ready.barePort, authorization });
      }
    }
    const compared = await compare(targets, name, query, seconds);
    Object.assign(figures, prefixed(name, compared));
    // Before (the App Router route handler) and after (the production server's Node listener), beside bare; then PostgreSQL.
    console.log(`${compared.endpoint} at ${CONNECTIONS} connections:`);
    for (const [label, server, baseline] of [
      ["bare node:http", "bare", ""],
      ["after: Node req/res", "node", "bare"],
      ["before: route handler", "route", "bare"],
      ["PostgreSQL: bare", "pg_bare", ""],
      ["PostgreSQL: Node req/res", "pg_node", "pg_bare"],
    ] as const) {
      if (compared[`${server}_rps`] === undefined) continue;
      const share = baseline ? `, ${round((compared[`${server}_rps`] as number) / (compared[`${baseline}_rps`] as number), 2)}× ${baseline}` : "";
      console.log(`  ${label.padEnd(25)} ${String(compared[`${server}_rps`]).padStart(8)} req/s, p99 ${compared[`${server}_p99_ms`]} ms, ${compared[`${server}_cpu_us_per_request`]} µs CPU/request${share}`);
    }
  }
  child?.process.disconnect();
  pgChild?.process.disconnect();
  if (process.env.BENCH_PRODUCTION !== "0") Object.assign(figures, prefixed("production_users", await compareProduction()));
  if (POSTGRES_URL && process.env.BENCH_PROCESSES !== "0") Object.assign(figures, prefixed("processes_users_pg", await compareProcesses(POSTGRES_URL)));
  report("api", { ...figures, load_average_after: round(os.loadavg()[0], 1), request_logging: process.env.LOG_LEVEL !== undefined && process.env.LOG_LEVEL !== "silent" });
}

function prefixed(prefix: string, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}_${key}`, value]));
}

/** One measured run, with the server process's event-loop delay over it (and its CPU profile when asked). */
async function measuredLoad(child: ChildProcess, url: string, authorization: string, seconds: number, profileFile?: string): Promise<LoadResult> {
  const reply = <T>() => new Promise<T>((resolve) => child.once("message", (message) => resolve(message as T)));
  const started = reply<unknown>();
  child.send({ run: "start", profile: profileFile !== undefined } satisfies RunControl);
  await started;
  const result = load(url, authorization, seconds);
  const stats = reply<RunStats>();
  child.send({ run: "stop", profileFile } satisfies RunControl);
  return { ...result, ...(await stats) };
}

/** `node`, `route`, `web`, `bare` over SQLite; `pg_node`, `pg_bare` the same listener and bare server over PostgreSQL. */
interface Target {
  server: string;
  child: ChildProcess;
  port: number;
  /** Each server process has its own technical user. */
  authorization: string;
}

async function compare(targets: Target[], name: string, query: string, seconds: number): Promise<Record<string, unknown>> {
  const url = (target: Target) => `http://127.0.0.1:${target.port}${query}`;
  const check = await fetch(url(targets[0]!), { headers: { authorization: targets[0]!.authorization } });
  const body = (await check.json()) as { total?: number };
  if (check.status !== 200 || !body.total) throw new Error(`the API answered ${check.status}: ${JSON.stringify(body).slice(0, 300)}`);

  for (const target of targets) load(url(target), target.authorization, 5); // warm-up: JIT, caches, the verified-credentials cache
  const runs: Record<string, LoadResult[]> = Object.fromEntries(targets.map((target) => [target.server, []]));
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so drift on a shared machine hits all alike.
    for (const target of targets) {
      const profile = CPU_PROFILE_DIR && i === 0 ? path.join(CPU_PROFILE_DIR, `${name}-${target.server}.cpuprofile`) : undefined;
      runs[target.server]!.push(await measuredLoad(target.child, url(target), target.authorization, seconds, profile));
    }
  }
  const failing = Object.entries(runs).filter(([, serverRuns]) => serverRuns.some((r) => r.non2xx > 0));
  if (failing.length) throw new Error(`some requests failed: ${failing.map(([server, serverRuns]) => `${server} ${serverRuns.map((r) => r.non2xx).join("/")}`).join(", ")}`);
  const rps = (server: string) => median(runs[server]!.map((r) => r.rps));
  const cpu = (server: string) => median(runs[server]!.map((r) => (r.cpuUs === undefined ? NaN : Math.round(r.cpuUs / r.requests))));
  const figures: Record<string, unknown> = {
    endpoint: `GET ${query}`,
    run_seconds: seconds,
    matching: body.total,
    ratio: round(rps("node") / rps("bare"), 2),
    // CPU per request is steadier than requests/s when other processes share the cores.
    cpu_ratio: round(cpu("bare") / cpu("node"), 2),
    route_ratio: round(rps("route") / rps("bare"), 2),
    route_cpu_ratio: round(cpu("bare") / cpu("route"), 2),
  };
  if (runs.pg_node) {
    Object.assign(figures, {
      pg_ratio: round(rps("pg_node") / rps("pg_bare"), 2),
      pg_cpu_ratio: round(cpu("pg_bare") / cpu("pg_node"), 2),
      // The whole API request on PostgreSQL against the same request on SQLite, in the same run.
      pg_vs_sqlite_ratio: round(rps("pg_node") / rps("node"), 2),
      pg_vs_sqlite_cpu_ratio: round(cpu("node") / cpu("pg_node"), 2),
    });
  }
  const servers = targets.map((target) => target.server);
  for (const server of servers) {
    Object.assign(figures, {
      [`${server}_rps`]: round(rps(server), 1),
      [`${server}_p99_ms`]: median(runs[server]!.map((r) => r.p99)),
      [`${server}_cpu_us_per_request`]: cpu(server),
      [`${server}_gc_us_per_request`]: median(runs[server]!.map((r) => Math.round((1000 * (r.gcMs ?? NaN)) / r.requests))),
      [`${server}_loop_delay_p99_ms`]: median(runs[server]!.map((r) => r.loopDelayP99Ms ?? NaN)),
    });
  }
  return figures;
}

// ── the production build: npm start's server against next start ──────────

/** CPU time (user + system, µs) of a process and its descendants, from /proc. */
function processTreeCpuUs(pid: number): number {
  const microsecondsPerTick = 1e6 / 100; // USER_HZ
  // After the command name, which may hold spaces: state, ppid, … utime (12th), stime (13th).
  const statOf = (id: string) => {
    const stat = fs.readFileSync(`/proc/${id}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  };
  const children = new Map<number, string[]>();
  const cpu = new Map<string, number>();
  for (const id of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = statOf(id);
      children.set(Number(fields[1]), [...(children.get(Number(fields[1])) ?? []), id]);
      cpu.set(id, (Number(fields[11]) + Number(fields[12])) * microsecondsPerTick);
    } catch {
      // the process ended while we looked
    }
  }
  const total = (id: string): number => (cpu.get(id) ?? 0) + (children.get(Number(id)) ?? []).reduce((sum, child) => sum + total(child), 0);
  return total(String(pid));
}

async function compareProduction(): Promise<Record<string, unknown>> {
  const environment = { API_RATE_LIMIT_PER_S: "1000000000", API_RATE_LIMIT_BURST: "1000000000", LOG_LEVEL: "silent" };
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-api-bench-production-")));
  const servers: Record<"npm_start" | "next_start", RunningServer> = {
    npm_start: await startServer(dirs[0], environment),
    next_start: await startNextStart(dirs[1], environment),
  };
  try {
    const authorization: Record<string, string> = {};
    for (const [name, dir] of [["npm_start", dirs[0]], ["next_start", dirs[1]]] as const) {
      const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", "bench", "--scopes", "users:read"], {
        env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: "silent" },
        encoding: "utf8",
      });
      const created = JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as { client_id: string; client_secret: string };
      authorization[name] = `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString("base64")}`;
    }
    const names = ["npm_start", "next_start"] as const;
    const url = (name: (typeof names)[number]) => `${servers[name].baseUrl}/api/v1/users`;
    for (const name of names) load(url(name), authorization[name], 5); // warm-up
    const runs: Record<(typeof names)[number], Array<LoadResult & { cpuUs: number }>> = { npm_start: [], next_start: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const name of names) {
        const pid = servers[name].child.pid ?? 0;
        const before = processTreeCpuUs(pid);
        const result = load(url(name), authorization[name], RUN_SECONDS);
        runs[name].push({ ...result, cpuUs: processTreeCpuUs(pid) - before });
      }
    }
    if (names.some((name) => runs[name].some((r) => r.non2xx > 0))) throw new Error("some requests to the production servers failed");
    const figures: Record<string, unknown> = {};
    for (const name of names) {
      figures[`${name}_rps`] = round(median(runs[name].map((r) => r.rps)), 1);
      figures[`${name}_p99_ms`] = median(runs[name].map((r) => r.p99));
      figures[`${name}_cpu_us_per_request`] = median(runs[name].map((r) => Math.round(r.cpuUs / r.requests)));
    }
    console.log(`GET /api/v1/users at ${CONNECTIONS} connections on the production build:`);
    for (const [label, name] of [["after: npm start", "npm_start"], ["before: next start", "next_start"]] as const) {
      console.log(`  ${label.padEnd(22)} ${String(figures[`${name}_rps`]).padStart(8)} req/s, p99 ${figures[`${name}_p99_ms`]} ms, ${figures[`${name}_cpu_us_per_request`]} µs CPU/request`);
    }
    return figures;
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ── several processes on one PostgreSQL database ──────────────────────────

/** autocannon against several URLs at once (`connections` each); requests/s summed, p99 the worst of them. */
async function loadTogether(urls: string[], authorization: string, connections: number, seconds: number): Promise<LoadResult> {
  const cli = path.join(process.cwd(), "node_modules/autocannon/autocannon.js");
  const results = await Promise.all(
    urls.map(
      (url) =>
        new Promise<{ requests: { total: number }; duration: number; latency: { p99: number }; non2xx: number }>((resolve, reject) => {
          const run = spawn(process.execPath, [cli, "-c", String(connections), "-d", String(seconds), "-t", "60", "-j", "-H", `authorization=${authorization}`, url], { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          let err = "";
          run.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
          run.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
          run.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`autocannon failed: ${err}`))));
        }),
    ),
  );
  const requests = results.reduce((sum, result) => sum + result.requests.total, 0);
  return {
    rps: results.reduce((sum, result) => sum + result.requests.total / result.duration, 0),
    requests,
    p99: Math.max(...results.map((result) => result.latency.p99)),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
  };
}

/** Busy CPU time of the whole machine (µs), from /proc/stat: what the servers, PostgreSQL, the load generator and anything else used. */
function machineBusyUs(): number {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) * (1e6 / 100);
}

/**
 * `GET /users` at 50 connections against one API process and against two on the same PostgreSQL database (each
 * behind 25 of the connections, as a load balancer would spread them). With SWITCHBOARD_ROLES in the build, the
 * processes run the `api` role; without it each runs the whole product (every role), which is what a process is today.
 * Per run: the servers' CPU, PostgreSQL's (its postmaster and backends) and the machine's, so the figure can be
 * read against the two cores everything shares.
 */
async function compareProcesses(clusterUrl: string): Promise<Record<string, unknown>> {
  const { createTestPostgres } = await import("@/tests/helpers/postgres");
  const { getConfig } = await import("@/server/config");
  const rolesInBuild = (getConfig() as unknown as Record<string, unknown>).SWITCHBOARD_ROLES !== undefined;
  const target = await createTestPostgres(clusterUrl);
  const { rows } = await target.db.$client.query<{ dir: string }>("select setting as dir from pg_settings where name = 'data_directory'");
  const postmasterPid = Number(fs.readFileSync(path.join(rows[0]!.dir, "postmaster.pid"), "utf8").split("\n")[0]);
  const environment = {
    DATABASE_URL: target.url,
    SWITCHBOARD_SECRET: "bench-secret-0123456789abcdef",
    SWITCHBOARD_ROLES: "api",
    API_RATE_LIMIT_PER_S: "1000000000",
    API_RATE_LIMIT_BURST: "1000000000",
    LOG_LEVEL: "silent",
  };
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-api-bench-processes-")));
  const servers: RunningServer[] = [];
  try {
    // One after the other: the first seeds the demo into the empty database, the second finds it there.
    servers.push(await startServer(dirs[0]!, environment));
    servers.push(await startServer(dirs[1]!, environment));
    const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", "bench", "--scopes", "users:read"], {
      env: { ...process.env, ...environment, DATA_DIR: dirs[0] },
      encoding: "utf8",
    });
    const created = JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as { client_id: string; client_secret: string };
    const authorization = `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString("base64")}`;
    const url = (server: RunningServer) => `${server.baseUrl}/api/v1/users`;
    const layouts = { one: [url(servers[0]!), url(servers[0]!)], two: [url(servers[0]!), url(servers[1]!)] };
    for (const urls of Object.values(layouts)) await loadTogether(urls, authorization, CONNECTIONS / 2, 5); // warm-up
    type Run = LoadResult & { serverCpuUs: number; postgresCpuUs: number; machineCpuUs: number; wallUs: number };
    const runs: Record<keyof typeof layouts, Run[]> = { one: [], two: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const layout of ["one", "two"] as const) {
        const serverCpu = () => servers.reduce((sum, server) => sum + processTreeCpuUs(server.child.pid ?? 0), 0);
        const before = { server: serverCpu(), postgres: processTreeCpuUs(postmasterPid), machine: machineBusyUs(), wall: performance.now() };
        const result = await loadTogether(layouts[layout], authorization, CONNECTIONS / 2, RUN_SECONDS);
        runs[layout].push({
          ...result,
          serverCpuUs: serverCpu() - before.server,
          postgresCpuUs: processTreeCpuUs(postmasterPid) - before.postgres,
          machineCpuUs: machineBusyUs() - before.machine,
          wallUs: (performance.now() - before.wall) * 1000,
        });
      }
    }
    if (Object.values(runs).some((layoutRuns) => layoutRuns.some((r) => r.non2xx > 0))) throw new Error("some requests to the API processes failed");
    const figures: Record<string, unknown> = {
      roles: rolesInBuild ? "api" : "all four (SWITCHBOARD_ROLES is not in this build: every process runs the whole product)",
      connections: CONNECTIONS,
      run_seconds: RUN_SECONDS,
    };
    for (const layout of ["one", "two"] as const) {
      const per = (pick: (r: Run) => number) => median(runs[layout].map((r) => Math.round(pick(r) / r.requests)));
      Object.assign(figures, {
        [`${layout}_rps`]: round(median(runs[layout].map((r) => r.rps)), 1),
        [`${layout}_p99_ms`]: median(runs[layout].map((r) => r.p99)),
        [`${layout}_server_cpu_us_per_request`]: per((r) => r.serverCpuUs),
        [`${layout}_postgres_cpu_us_per_request`]: per((r) => r.postgresCpuUs),
        // Everything else busy on the machine per request: the load generator, the kernel's loopback, other work.
        [`${layout}_other_cpu_us_per_request`]: per((r) => r.machineCpuUs - r.serverCpuUs - r.postgresCpuUs),
        [`${layout}_machine_busy_cores`]: round(median(runs[layout].map((r) => r.machineCpuUs / r.wallUs)), 2),
      });
    }
    figures.two_vs_one_ratio = round((figures.two_rps as number) / (figures.one_rps as number), 2);
    console.log(`GET /api/v1/users on PostgreSQL, ${CONNECTIONS} connections: one process ${String(figures.one_rps)} req/s, two processes ${String(figures.two_rps)} req/s (${String(figures.two_vs_one_ratio)}×)`);
    return figures;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    await target.drop();
  }
}

if (process.argv.includes("--serve")) void serve();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
