/**
 * The public REST API as the browser tests' CRM calls it: technical users
 * created with the CLI against the test server's data folder, and a client
 * that sends their Basic credentials.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "vitest";

const root = path.resolve(__dirname, "../..");

// Responses are checked by the assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Credentials {
  id: string;
  client_id: string;
  client_secret: string;
}

/** `env`: e.g. `DATABASE_URL` to create it in a PostgreSQL database instead of the data folder's SQLite file. */
export function createTechnicalUser(dataDir: string, name: string, env: Record<string, string> = {}): Credentials {
  const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", name], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent", ...env },
    encoding: "utf8",
  });
  expect(cli.status, cli.stderr).toBe(0);
  return JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as Credentials;
}

export const basicOf = (credentials: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString("base64")}`;

export interface RestCall {
  method?: string;
  body?: unknown;
  /** Another Authorization header than the client's own. */
  auth?: string;
}

/** `api` answers status and parsed body; `ok` also expects a 2xx and returns the body. */
export function restClient(baseUrl: string, defaultAuth: () => string) {
  async function api(pathname: string, init: RestCall = {}): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { authorization: init.auth ?? defaultAuth() };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${baseUrl}/api/v1${pathname}`, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
  async function ok(pathname: string, init: RestCall = {}): Promise<Json> {
    const result = await api(pathname, init);
    expect(result.status, `${init.method ?? "GET"} ${pathname}: ${JSON.stringify(result.body)}`).toBeLessThan(300);
    return result.body;
  }
  return { api, ok };
}
