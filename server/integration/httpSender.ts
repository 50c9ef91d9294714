import { performance } from "node:perf_hooks";
import { Agent, request, type Dispatcher } from "undici";
import type { Clock } from "@/flows/runtime/ports";
import { guardedConnector, NetworkPolicyError, type NetworkPolicy } from "./networkPolicy";

/**
 * One HTTP request to a CRM, and what came of it in plain terms. Redirects
 * are never followed (a 3xx is the answer); the timeout runs on the injected
 * clock and covers the whole exchange; the reply body is kept up to a limit.
 */
export type ErrorClass =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "dns"
  | "tls"
  | "network_policy"
  | "shutdown"
  | "http_status"
  | "redirect"
  | "bad_response"
  | "template"
  | "circuit_open"
  | "other";

export interface OutboundRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
}

export interface OutboundResult {
  startedAt: number;
  latencyMs: number;
  response: OutboundResponse | null;
  error: { class: ErrorClass; message: string } | null;
}

export interface SendOptions {
  /** Reply bytes kept; the rest is read and dropped (up to 1 MB) so the connection can be reused. */
  maxBodyBytes?: number;
  /** Aborts the request from outside (shutdown); the result's class is `shutdown`. */
  signal?: AbortSignal;
}

const DISCARD_LIMIT = 1 << 20;

class TimeoutAbort extends Error {
  constructor(ms: number) {
    super(`no complete reply within ${ms} ms`);
    this.name = "TimeoutAbort";
  }
}

export class HttpSender {
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly options: { policy: NetworkPolicy; clock: Clock; connectionsPerOrigin?: number; connectTimeoutMs?: number },
  ) {
    this.dispatcher = new Agent({
      connect: guardedConnector(options.policy, { timeout: options.connectTimeoutMs ?? 10_000 }),
      connections: options.connectionsPerOrigin ?? 16,
      keepAliveTimeout: 10_000,
    });
  }

  async send(outbound: OutboundRequest, options: SendOptions = {}): Promise<OutboundResult> {
    const { clock } = this.options;
    const startedAt = clock.now();
    const began = performance.now();
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(new TimeoutAbort(outbound.timeoutMs)), outbound.timeoutMs);
    const onOuterAbort = () => controller.abort(options.signal?.reason ?? new Error("shutdown"));
    options.signal?.addEventListener("abort", onOuterAbort, { once: true });
    const finish = (partial: Pick<OutboundResult, "response" | "error">): OutboundResult => ({
      startedAt,
      latencyMs: Math.round((performance.now() - began) * 10) / 10,
      ...partial,
    });
    try {
      const reply = await request(outbound.url, {
        method: outbound.method as Dispatcher.HttpMethod,
        headers: outbound.headers,
        body: outbound.body,
        signal: controller.signal,
        dispatcher: this.dispatcher,
      });
      const { text, truncated } = await readLimited(reply.body, reply.headers["content-length"], options.maxBodyBytes ?? 4096);
      return finish({ response: { status: reply.statusCode, headers: flatHeaders(reply.headers), body: text, bodyTruncated: truncated }, error: null });
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      const shutdown = options.signal?.aborted === true;
      return finish({ response: null, error: shutdown ? { class: "shutdown", message: "stopped during shutdown" } : classifyError(reason) });
    } finally {
      clock.clearTimeout(timer);
      options.signal?.removeEventListener("abort", onOuterAbort);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

type ReplyBody = AsyncIterable<Buffer> & { destroy(): void; text(): Promise<string> };

async function readLimited(body: ReplyBody, contentLength: string | string[] | undefined, limit: number): Promise<{ text: string; truncated: boolean }> {
  // The usual small reply with a declared length is read in one go; anything else chunk by chunk, keeping the first `limit` bytes.
  const declared = typeof contentLength === "string" ? Number(contentLength) : Number.NaN;
  if (declared <= DISCARD_LIMIT) {
    const whole = Buffer.from(await body.text());
    return { text: whole.subarray(0, limit).toString("utf8"), truncated: whole.length > limit };
  }
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (keptBytes < limit) {
      const part = chunk.subarray(0, limit - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (seen > DISCARD_LIMIT) {
      body.destroy();
      break;
    }
  }
  return { text: Buffer.concat(kept).toString("utf8"), truncated: seen > keptBytes };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** Turns Node / undici errors (possibly wrapped in `cause`) into the delivery log's error classes. */
export function classifyError(error: unknown): { class: ErrorClass; message: string } {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code ?? "";
    if (current instanceof NetworkPolicyError) return { class: "network_policy", message: current.message };
    if (current instanceof TimeoutAbort || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "ETIMEDOUT") {
      return { class: "timeout", message: current.message };
    }
    if (code === "ECONNREFUSED") return { class: "connection_refused", message: current.message };
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL") return { class: "dns", message: current.message };
    if (TLS_CODES.test(code)) return { class: "tls", message: `${code}: ${current.message}` };
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
      return { class: "connection_reset", message: current.message };
    }
  }
  return { class: "other", message: error instanceof Error ? error.message : String(error) };
}
