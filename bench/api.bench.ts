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
 * `BENCH_ENDPOINTS=users` measures only the named endpoints;
 * `BENCH_CPU_PROF=DIR` writes a CPU profile of the server process during the
 * first measured run of each server (`users-api.cpuprofile`, …), summarised
 * by `npx tsx bench/profileSummary.ts FILE`.
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
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

  const db = getDb();
  insertContacts(db.$client);
  phonebook.backfillContactSearch(db); // rows inserted raw get their search columns, as at start-up
  const { seedDemo } = await import("@/server/services/demo");
  await seedDemo(db);
  const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: "bench", scopes: ["phonebook:read", "users:read"] });
  const authorization = `Basic ${Buffer.from(`${technicalUser.clientId}:${clientSecret}`).toString("base64")}`;

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
  const web = webServer(async (request) => new Response(JSON.stringify(serviceCall(new URL(request.url))), { headers: { "content-type": "application/json" } }));
  const bare = http.createServer((req, res) => {
    const result = serviceCall(new URL(req.url ?? "/", "http://127.0.0.1"));
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
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
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

async function main(): Promise<void> {
  if (CPU_PROFILE_DIR) fs.mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Ready));
    child.once("exit", (code) => reject(new Error(`server process exited with ${code}`)));
  });
  // Other work on a shared machine moves every figure: the load average before and after says how much there was.
  const figures: Record<string, unknown> = { contacts: CONTACTS, connections: CONNECTIONS, goal_ratio: 0.5, goal_p99_ms: 20, load_average_before: round(os.loadavg()[0], 1) };
  for (const [name, query, seconds] of [
    ["phonebook_search", `/api/v1/phonebook/contacts?search=${SEARCH}`, SEARCH_RUN_SECONDS],
    ["users", "/api/v1/users", RUN_SECONDS],
  ] as const) {
    if (!ENDPOINTS.includes(name)) continue;
    const compared = await compare(child, ready, name, query, seconds);
    Object.assign(figures, prefixed(name, compared));
    // Before (the App Router route handler) and after (the production server's Node listener), beside bare.
    console.log(`${compared.endpoint} at ${CONNECTIONS} connections:`);
    for (const [label, server] of [["bare node:http", "bare"], ["after: Node req/res", "node"], ["before: route handler", "route"]] as const) {
      const share = server === "bare" ? "" : `, ${round((compared[`${server}_rps`] as number) / (compared.bare_rps as number), 2)}× bare`;
      console.log(`  ${label.padEnd(22)} ${String(compared[`${server}_rps`]).padStart(8)} req/s, p99 ${compared[`${server}_p99_ms`]} ms, ${compared[`${server}_cpu_us_per_request`]} µs CPU/request${share}`);
    }
  }
  child.disconnect();
  if (process.env.BENCH_PRODUCTION !== "0") Object.assign(figures, prefixed("production_users", await compareProduction()));
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

const servers = ["node", "route", "web", "bare"] as const;
type Server = (typeof servers)[number];

async function compare(child: ChildProcess, ready: Ready, name: string, query: string, seconds: number): Promise<Record<string, unknown>> {
  const urls: Record<Server, string> = {
    node: `http://127.0.0.1:${ready.nodePort}${query}`,
    route: `http://127.0.0.1:${ready.routePort}${query}`,
    web: `http://127.0.0.1:${ready.webPort}${query}`,
    bare: `http://127.0.0.1:${ready.barePort}${query}`,
  };
  const check = await fetch(urls.node, { headers: { authorization: ready.authorization } });
  const body = (await check.json()) as { total?: number };
  if (check.status !== 200 || !body.total) throw new Error(`the API answered ${check.status}: ${JSON.stringify(body).slice(0, 300)}`);

  for (const server of servers) load(urls[server], ready.authorization, 5); // warm-up: JIT, caches, the verified-credentials cache
  const runs: Record<Server, LoadResult[]> = { node: [], route: [], web: [], bare: [] };
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so drift on a shared machine hits all alike.
    for (const server of servers) {
      const profile = CPU_PROFILE_DIR && i === 0 ? path.join(CPU_PROFILE_DIR, `${name}-${server}.cpuprofile`) : undefined;
      runs[server].push(await measuredLoad(child, urls[server], ready.authorization, seconds, profile));
    }
  }
  if (servers.some((server) => runs[server].some((r) => r.non2xx > 0))) throw new Error("some requests failed");
  const rps = (server: Server) => median(runs[server].map((r) => r.rps));
  const cpu = (server: Server) => median(runs[server].map((r) => (r.cpuUs === undefined ? NaN : Math.round(r.cpuUs / r.requests))));
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
  for (const server of servers) {
    Object.assign(figures, {
      [`${server}_rps`]: round(rps(server), 1),
      [`${server}_p99_ms`]: median(runs[server].map((r) => r.p99)),
      [`${server}_cpu_us_per_request`]: cpu(server),
      [`${server}_gc_us_per_request`]: median(runs[server].map((r) => Math.round((1000 * (r.gcMs ?? NaN)) / r.requests))),
      [`${server}_loop_delay_p99_ms`]: median(runs[server].map((r) => r.loopDelayP99Ms ?? NaN)),
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

if (process.argv.includes("--serve")) void serve();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
