import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import { newId } from "@/lib/ids";
import type { OutboundApi } from "./catalog";
import { FrozenEvent } from "./events";
import { getIntegration } from "./index";
import { HttpSender, type ErrorClass } from "./httpSender";
import { outboundNetworkPolicy } from "./networkPolicy";
import { buildRequest } from "./request";
import { applyResponseMapping, type MappedReply } from "./responseMapping";
import { attemptError } from "./retryPolicy";
import { sampleEvent } from "./samples";

/**
 * The Test button: one realistic sample event to the real URL, outside the
 * outbox (nothing is queued or retried), and a report of exactly what was
 * sent — credentials masked — and what came back.
 */
export interface TestReport {
  ok: boolean;
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string; body_truncated: boolean } | null;
  latency_ms: number;
  error: { class: ErrorClass; message: string } | null;
  /** Data look-ups: the reply read through the response mapping. */
  lookup?: MappedReply;
}

let fallbackSender: HttpSender | undefined;

/** The running integration's sender, or one of our own (portal started without boot, e.g. in tests). */
export function defaultSender(): HttpSender {
  const running = getIntegration();
  if (running) return running.sender;
  fallbackSender ??= new HttpSender({ policy: outboundNetworkPolicy(), clock: systemClock });
  return fallbackSender;
}

export async function sendTestEvent(api: OutboundApi, sender: HttpSender = defaultSender(), clock: Clock = systemClock): Promise<TestReport> {
  const event = FrozenEvent.of(sampleEvent(api.kind, api.config.kind === "event_hook" ? api.config.events[0] : undefined));
  const webhookId = newId("message");
  const now = clock.now();
  let shown;
  let real;
  try {
    real = buildRequest(api, event, webhookId, now);
    shown = buildRequest(api, event, webhookId, now, { redact: true });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return {
      ok: false,
      request: { method: api.config.method, url: api.config.url, headers: {}, body: "" },
      response: null,
      latency_ms: 0,
      error: { class: "template", message: error.message },
    };
  }
  const result = await sender.send(real, { maxBodyBytes: api.kind === "data_lookup" ? 64 * 1024 : 4096 });
  const error = attemptError(result);
  const report: TestReport = {
    ok: error === null,
    request: { method: shown.method, url: shown.url, headers: shown.headers, body: shown.body },
    response: result.response
      ? { status: result.response.status, headers: result.response.headers, body: result.response.body, body_truncated: result.response.bodyTruncated }
      : null,
    latency_ms: result.latencyMs,
    error,
  };
  if (api.config.kind === "data_lookup" && result.response && !error) {
    try {
      report.lookup = applyResponseMapping(api.config.response_mapping, result.response.body.trim() ? JSON.parse(result.response.body) : {});
    } catch {
      report.ok = false;
      report.error = { class: "bad_response", message: "the reply is not valid JSON" };
    }
  }
  return report;
}
