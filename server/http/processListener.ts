import type http from "node:http";
import { getConfig, type Role } from "@/server/config";
import { isApiRequest } from "@/server/api/rest/nodeServer";
import { storedProblem, ApiProblem } from "@/server/api/rest/problem";
import { writeNode } from "@/server/api/rest/nodeTransport";
import { isBooted } from "@/server/boot";
import { startedRuntime } from "@/server/runtime";
import { INTERNAL_RUNTIME_PATH, serveRuntimeCommand } from "@/server/runtime/callRouting";
import { SECURITY_HEADERS } from "./securityHeaders";

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export const HEALTH_PATH = "/health";
/** Forwarded commands are small JSON documents (a call id, digits, a test call's draft flow). */
const INTERNAL_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * What one process of `npm start` answers, by its SWITCHBOARD_ROLES (server/runtime/README.md, "Several processes"):
 * - `GET /health` on every process: `{ status, roles, runtime_id }` — 200 `ok` once boot() is done, 503 `starting` before —
 *   for a load balancer or a supervisor;
 * - `/api/v1/*` with `api` (else a 404 problem, as for an unknown API path);
 * - `POST /internal/runtime` with `runtime`, and only with the internal key (else a plain 404);
 * - everything else — portal pages, tRPC, sign-in, assets — with `web` (else a plain 404).
 */
export function processListener({ serveApi, serveNext }: { serveApi: Listener; serveNext: Listener }): Listener {
  const roles = getConfig().SWITCHBOARD_ROLES;
  const has = (role: Role) => roles.has(role);
  return (req, res) => {
    const pathname = (req.url ?? "/").split("?", 1)[0];
    if (pathname === HEALTH_PATH) {
      const booted = isBooted();
      return sendJson(res, booted ? 200 : 503, { status: booted ? "ok" : "starting", roles: [...roles], runtime_id: startedRuntime()?.instanceId ?? null });
    }
    if (isApiRequest(req.url)) {
      if (has("api")) return serveApi(req, res);
      for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
      return void writeNode(req, res, storedProblem(new ApiProblem(404, `This process does not serve the API (SWITCHBOARD_ROLES=${[...roles].join(",")})`)));
    }
    if (pathname === INTERNAL_RUNTIME_PATH && req.method === "POST" && has("runtime")) return serveInternal(req, res);
    if (has("web")) return serveNext(req, res);
    return sendText(res, 404, "Not found\n");
  };
}

async function serveInternal(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > INTERNAL_BODY_LIMIT) return sendText(res, 413, "Too large\n");
    chunks.push(chunk);
  }
  const answer = await serveRuntimeCommand(req.headers.authorization, Buffer.concat(chunks).toString("utf8"));
  if (answer.status === 404) return sendText(res, 404, "Not found\n");
  sendJson(res, answer.status, answer.body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
