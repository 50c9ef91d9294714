/**
 * The public API pipeline on Node's own req/res (the production server,
 * `server/http/server.ts`): the request is read through `ApiRequest` and the
 * answer written with one `writeHead` + `end`, without the fetch
 * `Request`/`Response` pair, its Headers, AbortSignal and web streams that an
 * App Router handler must take and return (README, Performance).
 */
import type http from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { ApiRequest } from "./operation";
import type { StoredResponse } from "./idempotency";
import { ApiProblem } from "./problem";

/** Status logged for a request whose client left before the answer (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

export function nodeApiRequest(req: http.IncomingMessage): ApiRequest {
  const headers = req.headers;
  return {
    method: req.method ?? "GET",
    // Only the path and query are ever read; the origin is fixed, so a client's Host header cannot shape the URL.
    url: `http://localhost${req.url ?? "/"}`,
    headers: {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
      has: (name) => headers[name.toLowerCase()] !== undefined,
    },
    readBody: (limit) => readNodeBody(req, limit),
  };
}

/**
 * The body within `limit` bytes, or null as soon as it grows past it (refused
 * by its declared length before reading). What is left is never buffered:
 * the answer closes the connection (`writeNode`), and what the client still
 * sends meanwhile is read and dropped, so it receives the answer instead of
 * stalling on a full socket (Node does the same for a body nobody reads).
 */
function readNodeBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(refuse(req));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        finish();
        resolve(refuse(req));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      finish();
      resolve(Buffer.concat(chunks));
    };
    // The client went away mid-body: nobody is left to read the answer (`writeNode` skips it).
    const onClose = () => {
      finish();
      reject(new ApiProblem(400, "The request body ended before its declared end"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    req.on("error", onClose);
  });
}

/** Requests whose body was refused as too large: their connection is not reused. */
const refusedBodies = new WeakSet<http.IncomingMessage>();

function refuse(req: http.IncomingMessage): null {
  refusedBodies.add(req);
  req.resume();
  return null;
}

/** Writes the pipeline's answer; returns the status for the request log. */
export async function writeNode(req: http.IncomingMessage, res: http.ServerResponse, result: StoredResponse | Response): Promise<number> {
  if (res.destroyed || req.socket.destroyed) {
    if (result instanceof Response) await result.body?.cancel();
    return CLIENT_CLOSED_REQUEST;
  }
  // The rest of a refused body is dropped, not waited for: the connection closes after the answer. (A body
  // nobody read for another reason, e.g. sent with a method the path lacks, Node reads and drops, as under next start.)
  const close: Record<string, string> = refusedBodies.has(req) && !req.readableEnded ? { connection: "close" } : {};
  if (result instanceof Response) return sendFetchResponse(req, res, result, close);
  const headers: Record<string, string> = { ...result.headers, ...close };
  if (result.status === 204) {
    res.writeHead(204, headers);
    res.end();
    return 204;
  }
  headers["content-length"] = String(Buffer.byteLength(result.body));
  res.writeHead(result.status, headers);
  res.end(result.body);
  return result.status;
}

/** A handler's own `Response` (audio, the OpenAPI document): its headers, then its body streamed. */
async function sendFetchResponse(req: http.IncomingMessage, res: http.ServerResponse, response: Response, extraHeaders: Record<string, string>): Promise<number> {
  res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...extraHeaders });
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return response.status;
  }
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  await new Promise<void>((resolve) => {
    body.pipe(res);
    res.once("close", () => {
      body.destroy();
      resolve();
    });
  });
  return response.status;
}

/** A fetch `Request` over Node's request, for route handlers that have no Node path of their own. */
export function fetchRequestOf(req: http.IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`http://localhost${req.url ?? "/"}`, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}
