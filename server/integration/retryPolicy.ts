import type { RetryConfig } from "@/lib/schemas/integration";
import type { ErrorClass, OutboundResult } from "./httpSender";

/**
 * What one attempt's outcome means for the delivery. 2xx succeeds; 408, 429,
 * 5xx and network failures are retried on the endpoint's schedule (each wait
 * jittered to 0.5–1.0× so a recovering CRM is not hit by a thundering herd),
 * or later when the CRM's `Retry-After` asks for longer (capped). It is a
 * floor, never a shortcut: a CRM throttling with `Retry-After: 1` would
 * otherwise use up the whole retry schedule in seconds. 410 pauses the
 * endpoint's queue; redirects, other 4xx and policy refusals are final.
 */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

export type Verdict =
  | { kind: "succeeded" }
  | { kind: "retry"; nextAttemptAt: number }
  | { kind: "dead" }
  | { kind: "expired" }
  /** 410 Gone: the endpoint is disabled; this delivery waits (pending) until an admin enables it again. */
  | { kind: "gone" }
  /** Stopped by shutdown: back to pending, the attempt does not count. */
  | { kind: "released" };

export interface AttemptContext {
  /** 1 for the first try. */
  attemptNo: number;
  retry: RetryConfig | null;
  now: number;
  expiresAt: number | null;
  random?: () => number;
}

const RETRYABLE_ERRORS: ReadonlySet<ErrorClass> = new Set(["timeout", "connection_refused", "connection_reset", "dns", "tls", "other"]);

/** The attempt's error in delivery-log terms (null for a 2xx). */
export function attemptError(result: OutboundResult): { class: ErrorClass; message: string } | null {
  if (result.error) return result.error;
  const status = result.response?.status ?? 0;
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    return { class: "redirect", message: `HTTP ${status}: redirect to ${result.response?.headers.location ?? "?"} not followed` };
  }
  return { class: "http_status", message: `HTTP ${status}` };
}

export function judgeAttempt(result: OutboundResult, context: AttemptContext): Verdict {
  if (result.error?.class === "shutdown") return { kind: "released" };
  const status = result.response?.status ?? 0;
  if (status >= 200 && status < 300) return { kind: "succeeded" };
  if (status === 410) return { kind: "gone" };
  const retryable = result.error ? RETRYABLE_ERRORS.has(result.error.class) : status === 408 || status === 429 || status >= 500;
  if (!retryable || !context.retry || context.attemptNo > context.retry.count) return { kind: "dead" };
  const intervals = context.retry.intervals_s;
  const scheduledMs = intervals[Math.min(context.attemptNo - 1, intervals.length - 1)] * 1000;
  const jittered = scheduledMs * (0.5 + 0.5 * (context.random ?? Math.random)());
  const retryAfter = result.response ? parseRetryAfter(result.response.headers["retry-after"], context.now) : null;
  const delay = retryAfter !== null ? Math.max(Math.min(retryAfter, RETRY_AFTER_CAP_MS), jittered) : jittered;
  const nextAttemptAt = context.now + Math.round(delay);
  if (context.expiresAt !== null && nextAttemptAt >= context.expiresAt) return { kind: "expired" };
  return { kind: "retry", nextAttemptAt };
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
