import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import { newId } from "@/lib/ids";
import type { OutboundApi } from "./catalog";
import type { LookupResult } from "@/flows/runtime/ports";
import { FrozenEvent, type WebhookEvent } from "./events";
import { getIntegration } from "./index";
import { HttpSender, type ErrorClass, type OutboundResult } from "./httpSender";
import { lookupFallback, runLookupChain, type LookupStepRun } from "./lookup";
import { outboundNetworkPolicy } from "./networkPolicy";
import { connectorMessage } from "./presets";
import { buildRequest } from "./request";
import type { MappedReply } from "./responseMapping";
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
  /** Data look-ups: every step of the chain, and the answer the flow would get. */
  lookup?: { result: LookupResult; steps: TestStepReport[] };
  /** A connector's own words for a refusal ("MiniCRM refused the API key (401)"). */
  crm_message?: { en: string; hu: string };
}

export type TestStepReport = {
  request: TestReport["request"];
  response: TestReport["response"];
  latency_ms: number;
  error: { class: ErrorClass; message: string } | null;
  mapped: MappedReply | null;
  outcome: LookupStepRun["outcome"];
};

let fallbackSender: HttpSender | undefined;

/** The running integration's sender, or one of our own (portal started without boot, e.g. in tests). */
export function defaultSender(): HttpSender {
  const running = getIntegration();
  if (running) return running.sender;
  fallbackSender ??= new HttpSender({ policy: outboundNetworkPolicy(), clock: systemClock });
  return fallbackSender;
}

function responseOf(result: OutboundResult | undefined): TestReport["response"] {
  const response = result?.response;
  return response ? { status: response.status, headers: response.headers, body: response.body, body_truncated: response.bodyTruncated } : null;
}

/** A look-up's Test: the whole chain within the API's budget, for the sample caller or the number the admin typed. */
async function testLookup(api: OutboundApi, sender: HttpSender, clock: Clock, callerNumber: string | undefined): Promise<TestReport> {
  const sample = sampleEvent("data_lookup") as WebhookEvent<{ caller: { number: string; number_raw: string } }>;
  if (callerNumber) sample.data.caller = { ...sample.data.caller, number: callerNumber, number_raw: callerNumber };
  const started = clock.now();
  const run = await runLookupChain(api, FrozenEvent.of(sample), newId("message"), {
    sender,
    clock,
    deadline: started + api.config.timeout_ms,
    report: true,
    maxBodyBytes: 64 * 1024,
  });
  const steps: TestStepReport[] = run.steps.map((step) => {
    const last = step.attempts[step.attempts.length - 1];
    return {
      request: step.request ?? { method: "", url: "", headers: {}, body: "" },
      response: responseOf(last),
      latency_ms: step.attempts.reduce((sum, attempt) => sum + attempt.latencyMs, 0),
      error: step.error,
      mapped: step.mapped,
      outcome: step.outcome,
    };
  });
  const last = steps[steps.length - 1];
  const failure = "failure" in run.outcome ? run.outcome.failure : null;
  const status = last.response?.status;
  return {
    ok: failure === null,
    request: last.request,
    response: last.response,
    latency_ms: clock.now() - started,
    error: failure,
    lookup: { result: "failure" in run.outcome ? lookupFallback(api, run.outcome.failure) : run.outcome.result, steps },
    ...(failure && status ? crmRefusal(api, status) : {}),
  };
}

function crmRefusal(api: OutboundApi, status: number): { crm_message?: { en: string; hu: string } } {
  const message = connectorMessage(api.config.preset, status);
  return message ? { crm_message: message } : {};
}

export async function sendTestEvent(
  api: OutboundApi,
  sender: HttpSender = defaultSender(),
  clock: Clock = systemClock,
  options: { callerNumber?: string; publicUrl?: string } = {},
): Promise<TestReport> {
  if (api.config.kind === "data_lookup") return testLookup(api, sender, clock, options.callerNumber);
  const event = FrozenEvent.of(sampleEvent(api.kind, api.config.kind === "event_hook" ? api.config.events[0] : undefined));
  const webhookId = newId("message");
  const now = clock.now();
  let shown;
  let real;
  try {
    const publicUrl = () => options.publicUrl ?? "";
    real = buildRequest(api, event, webhookId, now, { publicUrl });
    shown = buildRequest(api, event, webhookId, now, { redact: true, publicUrl });
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
  const result = await sender.send(real, { maxBodyBytes: 4096 });
  const error = attemptError(result);
  return {
    ok: error === null,
    request: { method: shown.method, url: shown.url, headers: shown.headers, body: shown.body },
    response: responseOf(result),
    latency_ms: result.latencyMs,
    error,
    ...(error && result.response ? crmRefusal(api, result.response.status) : {}),
  };
}
