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
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    return Promise.resolve(null);
  }
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
        req.resume();
        resolve(null);
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

/** Writes the pipeline's answer; returns the status for the request log. */
export async function writeNode(req: http.IncomingMessage, res: http.ServerResponse, result: StoredResponse | Response): Promise<number> {
  if (res.destroyed || req.socket.destroyed) {
    if (result instanceof Response) await result.body?.cancel();
    return CLIENT_CLOSED_REQUEST;
  }
  // A body left unread (refused as too large, or sent to a path without that operation) is not drained:
  // the connection closes after the answer.
  const close: Record<string, string> = bodyLeftUnread(req) ? { connection: "close" } : {};
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

/** A body that was refused or never read: the connection is not reused after it. */
function bodyLeftUnread(req: http.IncomingMessage): boolean {
  if (req.readableEnded) return false;
  const length = req.headers["content-length"];
  return length !== undefined ? Number(length) > 0 : req.headers["transfer-encoding"] !== undefined;
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
