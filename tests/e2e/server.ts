import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

/** Waits until `GET /health` says the process finished booting (the server listens before Next has run boot()). */
export async function untilHealthy(server: RunningServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    const status = await fetch(`${server.baseUrl}/health`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not become healthy:\n${server.output()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log()}`);
    try {
      await fetch(url, { redirect: "manual" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`server did not start:\n${log()}`);
}

export interface RunningServer {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the product exactly as `npm start` does (`scripts/start.mjs`: the production server, with
 * /api/v1 on Node's req/res) on a free port with the given data folder. Like `npm start` it builds
 * first when a source is newer than the build — here before the start-up wait begins.
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--if-stale"], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, stdio: "inherit" });
  if (build.status !== 0) throw new Error("the build failed");
  return startBuiltServer(dataDir, env);
}

/** `npm start` on the build that is there (`npm run build` first); `env.PORT` pins the port (a restart at the same address). */
export function startBuiltServer(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  return serve([path.join(root, "scripts/start.mjs")], dataDir, env);
}

/**
 * `next start` on the same build: what served /api/v1 before the production server did (App Router
 * route handlers). Only for comparing the two paths; the product is `startServer`.
 */
export function startNextStart(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  return serve([path.join(root, "node_modules/next/dist/bin/next"), "start"], dataDir, env);
}

async function serve(command: string[], dataDir: string, env: Record<string, string>): Promise<RunningServer> {
  const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const port = env.PORT ? Number(env.PORT) : await freePort();
  let output = "";
  const child = spawn(process.execPath, command, {
    cwd: root,
    env: { ...baseEnv, PORT: String(port), DATA_DIR: dataDir, DEMO: "1", AUTH_TRUST_HOST: "true", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForServer(`${baseUrl}/login`, child, () => output);
  return {
    baseUrl,
    child,
    output: () => output,
    stop: async () => {
      // A child killed by a signal (a test's SIGKILL) has a signalCode and no exitCode, and no further 'exit' event.
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
