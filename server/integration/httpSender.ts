import { performance } from "node:perf_hooks";
import { Agent, type Dispatcher } from "undici";
import type { Clock, TimerHandle } from "@/flows/runtime/ports";
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

/** Where a URL's requests go: parsed once per URL, not per request. */
interface Target {
  origin: string;
  path: string;
}

const TARGETS_KEPT = 256;

export class HttpSender {
  private readonly dispatcher: Dispatcher;
  private readonly targets = new Map<string, Target>();
  /** One listener per outer signal (the worker's shutdown), not one per request. */
  private readonly outerAborts = new WeakMap<AbortSignal, Set<Exchange>>();

  constructor(
    private readonly options: { policy: NetworkPolicy; clock: Clock; connectionsPerOrigin?: number; connectTimeoutMs?: number },
  ) {
    this.dispatcher = new Agent({
      connect: guardedConnector(options.policy, { timeout: options.connectTimeoutMs ?? 10_000 }),
      connections: options.connectionsPerOrigin ?? 16,
      keepAliveTimeout: 10_000,
    });
  }

  /**
   * Sent with undici's dispatcher API and a small handler of our own (one
   * object per request): no AbortController, body stream or async iterator,
   * which cost more CPU than the request itself on a fast CRM. The timeout
   * and a shutdown end the exchange at once; a request still waiting for a
   * connection is then never written.
   */
  send(outbound: OutboundRequest, options: SendOptions = {}): Promise<OutboundResult> {
    return new Promise<OutboundResult>((resolve) => {
      const exchange = new Exchange(this.options.clock, outbound.timeoutMs, options.maxBodyBytes ?? 4096, options.signal, resolve);
      const outer = options.signal;
      if (outer) {
        if (outer.aborted) return exchange.stop(outer.reason ?? new Error("shutdown"));
        exchange.outerSet = this.outerAbortsOf(outer);
        exchange.outerSet.add(exchange);
      }
      try {
        const target = this.target(outbound.url);
        this.dispatcher.dispatch(
          { origin: target.origin, path: target.path, method: outbound.method as Dispatcher.HttpMethod, headers: outbound.headers, body: outbound.body },
          exchange,
        );
      } catch (error) {
        exchange.fail(error);
      }
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private target(url: string): Target {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size >= TARGETS_KEPT) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private outerAbortsOf(signal: AbortSignal): Set<Exchange> {
    let exchanges = this.outerAborts.get(signal);
    if (!exchanges) {
      const current = new Set<Exchange>();
      signal.addEventListener("abort", () => {
        for (const exchange of [...current]) exchange.stop(signal.reason ?? new Error("shutdown"));
      }, { once: true });
      this.outerAborts.set(signal, current);
      exchanges = current;
    }
    return exchanges;
  }
}

/** One request's undici handler and result: the reply kept up to a limit, settled once (reply, error, timeout or shutdown). */
class Exchange implements Dispatcher.DispatchHandler {
  private readonly startedAt: number;
  private readonly began = performance.now();
  private readonly timer: TimerHandle;
  private settled = false;
  private controller: Dispatcher.DispatchController | null = null;
  private stopReason: Error | null = null;
  private status = 0;
  private headers: Record<string, string> = {};
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private seen = 0;
  outerSet: Set<Exchange> | null = null;

  constructor(
    private readonly clock: Clock,
    timeoutMs: number,
    private readonly limit: number,
    private readonly outer: AbortSignal | undefined,
    private readonly resolve: (result: OutboundResult) => void,
  ) {
    this.startedAt = clock.now();
    this.timer = clock.setTimeout(() => this.stop(new TimeoutAbort(timeoutMs)), timeoutMs);
  }

  /** Timeout or shutdown: the result is final now; the request is aborted (or never written, if it still waits for a connection). */
  stop(reason: unknown): void {
    if (this.settled) return;
    this.stopReason = reason instanceof Error ? reason : new Error(String(reason));
    this.fail(this.stopReason);
    this.controller?.abort(this.stopReason);
  }

  fail(error: unknown): void {
    const shutdown = this.outer?.aborted === true;
    this.settle(null, shutdown ? { class: "shutdown", message: "stopped during shutdown" } : classifyError(this.stopReason ?? error));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopReason) controller.abort(this.stopReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = flatHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.keptBytes < this.limit) {
      const part = this.keptBytes + chunk.length <= this.limit ? chunk : chunk.subarray(0, this.limit - this.keptBytes);
      this.kept.push(part);
      this.keptBytes += part.length;
    }
    if (this.seen > DISCARD_LIMIT) {
      // Read and dropped up to the limit, then the connection is given up: the reply so far is the answer.
      this.settle(this.response(), null);
      controller.abort(new Error("reply too large"));
    }
  }

  onResponseEnd(): void {
    this.settle(this.response(), null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private response(): OutboundResponse {
    const body = this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept);
    return { status: this.status, headers: this.headers, body: body.toString("utf8"), bodyTruncated: this.seen > this.keptBytes };
  }

  private settle(response: OutboundResponse | null, error: OutboundResult["error"]): void {
    if (this.settled) return;
    this.settled = true;
    this.clock.clearTimeout(this.timer);
    this.outerSet?.delete(this);
    this.resolve({ startedAt: this.startedAt, latencyMs: Math.round((performance.now() - this.began) * 10) / 10, response, error });
  }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
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
