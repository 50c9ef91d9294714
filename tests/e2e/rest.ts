import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "vitest";

/** The public REST API as the e2e tests call it: a technical user from the CLI, then JSON requests with its credentials. */
const root = path.resolve(__dirname, "../..");

// Responses are checked by the assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Credentials {
  id: string;
  client_id: string;
  client_secret: string;
}

export function createTechnicalUser(dataDir: string, name: string): Credentials {
  const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", name], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  expect(cli.status, cli.stderr).toBe(0);
  return JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as Credentials;
}

export const basicOf = (credentials: { client_id: string; client_secret: string }) =>
  `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString("base64")}`;

/** `api` answers status and parsed body; `ok` also expects a 2xx. `auth` is read per request (tests set it in beforeAll). */
export function restClient(baseUrl: string, auth: () => string) {
  async function api(pathname: string, init: { method?: string; body?: unknown; auth?: string } = {}): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { authorization: init.auth ?? auth() };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${baseUrl}/api/v1${pathname}`, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
  async function ok(pathname: string, init: { method?: string; body?: unknown } = {}): Promise<Json> {
    const result = await api(pathname, init);
    expect(result.status, `${init.method ?? "GET"} ${pathname}: ${JSON.stringify(result.body)}`).toBeLessThan(300);
    return result.body;
  }
  return { api, ok };
}
