/**
 * `/api/v1/*` on Node's req/res: the production server's request listener
 * for the public API (`server/http/server.ts`). It routes to the same
 * operation definitions as the App Router route files under `app/api/v1`
 * (which `next dev` and the tests use) and behaves as Next does for them —
 * the same statuses, bodies and headers; HEAD runs GET without a body;
 * OPTIONS answers 204 with `Allow` — except that a method an operation does
 * not have answers 405 problem+json with the `Allow` header RFC 9110
 * requires (Next answers an empty 405 without it).
 */
import type http from "node:http";
import { allRouteHandlers } from "./operations";
import type { RouteHandler } from "./operation";
import { fetchRequestOf, writeNode } from "./nodeTransport";
import { openApiReply } from "./document";
import { unknownPathProblem } from "./notFound";
import { ApiProblem, storedProblem } from "./problem";
import { componentLogger } from "@/server/logger";
import { SECURITY_HEADERS } from "@/server/http/securityHeaders";

export const API_PREFIX = "/api/v1/";

interface Route {
  /** Path segments under /api/v1: a string matches itself, null is a `{param}`. */
  segments: (string | null)[];
  names: string[];
  methods: Map<string, RouteHandler>;
}

const log = componentLogger("api");

function routeTable(): Route[] {
  const byPath = new Map<string, Route>();
  for (const handler of allRouteHandlers()) {
    const { path, method } = handler.operation;
    let route = byPath.get(path);
    if (!route) {
      const parts = path.split("/").slice(1);
      route = {
        segments: parts.map((part) => (/^\{\w+\}$/.test(part) ? null : part)),
        names: parts.filter((part) => /^\{\w+\}$/.test(part)).map((part) => part.slice(1, -1)),
        methods: new Map(),
      };
      byPath.set(path, route);
    }
    route.methods.set(method, handler);
  }
  // As in Next's router, a fixed segment wins over a parameter in the same place (`/flows/validate` before `/flows/{id}`).
  return [...byPath.values()].sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
      const fixedA = a.segments[i] !== null;
      if (fixedA !== (b.segments[i] !== null)) return fixedA ? -1 : 1;
    }
    return 0;
  });
}

function match(routes: Route[], segments: string[]): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.segments.length !== segments.length || !route.segments.every((part, i) => part === null || part === segments[i])) continue;
    try {
      const values = segments.filter((_, i) => route.segments[i] === null).map((value) => decodeURIComponent(value));
      return { route, params: Object.fromEntries(route.names.map((name, i) => [name, values[i]])) };
    } catch {
      return null; // malformed percent-encoding: no such operation
    }
  }
  return null;
}

function allowOf(route: Route): string {
  const methods = new Set(["OPTIONS", ...route.methods.keys()]);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort().join(", ");
}

/** Whether the production server hands this request to the API listener (everything else goes to Next). */
export function isApiRequest(url: string | undefined): boolean {
  if (!url?.startsWith(API_PREFIX)) return false;
  const pathname = url.split("?", 1)[0];
  // `/api/v1/` and trailing slashes stay with Next, which redirects them to the canonical path as before.
  return pathname.length > API_PREFIX.length && !pathname.endsWith("/");
}

export function createApiListener(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  const routes = routeTable();
  return async (req, res) => {
    // What next.config.ts adds to everything Next serves.
    for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
    try {
      await dispatch(routes, req, res);
    } catch (error) {
      // The pipeline turns its own failures into problems; this is a fault in the transport itself.
      log.error({ err: error, path: req.url?.split("?", 1)[0] }, "API request failed outside the pipeline");
      if (!res.headersSent) await writeNode(req, res, storedProblem(new ApiProblem(500, "Internal error")));
      else res.destroy();
    }
  };
}

async function dispatch(routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const pathname = (req.url ?? "/").split("?", 1)[0];
  const method = req.method ?? "GET";
  if (pathname === "/api/v1/openapi.json" && (method === "GET" || method === "HEAD")) {
    await writeNode(req, res, openApiReply());
    return;
  }
  const found = match(routes, pathname.slice(API_PREFIX.length).split("/"));
  if (!found) {
    await writeNode(req, res, storedProblem(unknownPathProblem(pathname)));
    return;
  }
  const handler = found.route.methods.get(method === "HEAD" ? "GET" : method);
  if (!handler) {
    const allow = allowOf(found.route);
    if (method === "OPTIONS") await writeNode(req, res, { status: 204, body: "", headers: { allow } });
    else await writeNode(req, res, storedProblem(new ApiProblem(405, `${method} is not an operation of ${pathname}; it allows ${allow}`, { headers: { allow } })));
    return;
  }
  await serveOperation(handler, req, res, found.params);
}

/** One operation on Node's req/res; a route handler without a Node path of its own (the recording download with its signed links) runs behind a fetch adapter. */
export async function serveOperation(handler: RouteHandler, req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>): Promise<void> {
  if (handler.serveNode) await handler.serveNode(req, res, params);
  else await writeNode(req, res, await handler(fetchRequestOf(req), { params: Promise.resolve(params) }));
}
