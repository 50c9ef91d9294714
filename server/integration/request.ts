import type { LookupStep } from "@/lib/schemas/integration";
import { nationalDigits, nationalSignificantNumber } from "@/lib/phone";
import { renderTemplate, renderUrlTemplate } from "@/flows/templates/render";
import { TemplateError } from "@/flows/templates/errors";
import type { OutboundRequest } from "./httpSender";
import { signingSecretsAt, type OutboundApi } from "./catalog";
import { contentTypeOf, renderBody, renderBodyTemplate, SECRET_PLACEHOLDER, templateScope, type RenderBodyOptions } from "./body";
import type { FrozenEvent } from "./events";
import { webhookHeaders } from "./signing";

/**
 * The exact request one attempt sends: body, the admin's headers, the CRM
 * credentials and fresh Standard Webhooks signature headers (new timestamp
 * per attempt, same `webhook-id`). `redact` builds the copy the portal shows.
 */
export function buildRequest(
  api: OutboundApi,
  event: FrozenEvent,
  webhookId: string,
  now: number,
  options: { redact?: boolean; publicUrl?: RenderBodyOptions["publicUrl"] } = {},
): OutboundRequest {
  const body = renderBody(api, event, webhookId, { redactSecret: options.redact, publicUrl: options.publicUrl });
  const headers: Record<string, string> = { "content-type": contentTypeOf(api), "user-agent": "Switchboard-Webhooks/1" };
  for (const [name, value] of Object.entries(api.config.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, authHeaders(api, options.redact ?? false));
  // The signature covers the body the CRM receives; the redacted copy's signature is shown as such.
  Object.assign(headers, webhookHeaders(signingSecretsAt(api, now), webhookId, now, options.redact ? renderBody(api, event, webhookId, { publicUrl: options.publicUrl }) : body));
  return { url: api.config.url, method: api.config.method, headers, body, timeoutMs: api.config.timeout_ms };
}

export function authHeaders(api: OutboundApi, redact: boolean): Record<string, string> {
  const { auth } = api.config;
  const secret = redact ? SECRET_PLACEHOLDER : (api.credentials.auth_secret ?? "");
  switch (auth.type) {
    case "basic":
      return { authorization: redact ? `Basic ${SECRET_PLACEHOLDER}` : `Basic ${Buffer.from(`${auth.username}:${secret}`).toString("base64")}` };
    case "bearer":
      return { authorization: `Bearer ${secret}` };
    case "header":
      return { [auth.name.toLowerCase()]: secret };
    default:
      return {};
  }
}

/** One request of a look-up chain: the first is the API's own request line, the rest are its `next_steps`. */
export type LookupRequestLine = Pick<LookupStep, "method" | "url" | "body_template" | "response_mapping">;

export function lookupSteps(api: OutboundApi): LookupRequestLine[] {
  const { config } = api;
  if (config.kind !== "data_lookup") return [];
  return [{ method: config.method, url: config.url, body_template: config.body_template, response_mapping: config.response_mapping }, ...config.next_steps];
}

interface LookupEventData {
  call_id: string;
  conversation_id: string;
  caller: { number: string; number_raw: string; name: string | null };
  called_number: string;
  variables: Record<string, unknown>;
}

/**
 * What a look-up's URL, header and body templates see: the standard scope
 * (`data` is the `call.lookup` payload), the call in the forms CRMs search by
 * (`call.caller.number` E.164, `.national` with trunk prefix, `.national_number`
 * without it, and `| last_digits: N`), the
 * flow's variables, and `fields` — the values earlier steps mapped.
 */
export function lookupScope(event: FrozenEvent, webhookId: string, secret: string, fields: Record<string, unknown>) {
  const data = event.event.data as LookupEventData;
  const call = {
    id: data.call_id,
    conversation_id: data.conversation_id,
    caller: {
      number: data.caller.number,
      national: nationalDigits(data.caller.number),
      national_number: nationalSignificantNumber(data.caller.number),
      number_raw: data.caller.number_raw,
      name: data.caller.name ?? "",
    },
    called_number: data.called_number,
    called_national: nationalDigits(data.called_number),
  };
  return { ...templateScope(event.event, webhookId, secret), call, variables: data.variables, fields };
}

const LINE_BREAK = /[\r\n\0]/;
/** `/..`, `/.`, and their percent-encoded forms: URL parsers resolve them, so an interpolated value could climb out of the path. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=[/?#]|$)/i;

function renderLookupUrl(template: string, scope: object): string {
  const rendered = renderUrlTemplate(template, scope);
  const path = rendered.replace(/^[a-z]+:\/\/[^/?#]*/i, "").split(/[?#]/)[0];
  if (DOT_SEGMENT.test(path) && !DOT_SEGMENT.test(template.replace(/^[a-z]+:\/\/[^/?#]*/i, "").split(/[?#]/)[0])) {
    throw new TemplateError("render", "a value inserted into the URL made a '.' or '..' path segment");
  }
  try {
    new URL(rendered);
  } catch {
    throw new TemplateError("render", "the URL template did not produce a valid URL");
  }
  return rendered;
}

/**
 * The exact request of one look-up step: URL and header values rendered over
 * the call (URL values encoded as they are inserted), the body template or —
 * for a first step without one — the standard `call.lookup` payload; a GET
 * sends no body. Auth and signature headers as for every delivery. Throws
 * TemplateError when a template fails, so the look-up takes its fallback.
 */
export function buildLookupRequest(
  api: OutboundApi,
  step: LookupRequestLine,
  first: boolean,
  event: FrozenEvent,
  webhookId: string,
  now: number,
  fields: Record<string, unknown>,
  options: { redact?: boolean } = {},
): OutboundRequest {
  const secret = options.redact ? SECRET_PLACEHOLDER : (api.credentials.body_secret ?? "");
  const scope = lookupScope(event, webhookId, secret, fields);
  const template = step.body_template?.trim();
  const body = step.method === "GET" ? "" : template ? renderBodyTemplate(api, template, scope) : first ? event.raw : "";
  const headers: Record<string, string> = { "user-agent": "Switchboard-Webhooks/1", accept: "application/json" };
  if (body !== "") headers["content-type"] = contentTypeOf(api);
  for (const [name, value] of Object.entries(api.config.headers)) {
    const rendered = renderTemplate(value, scope);
    if (LINE_BREAK.test(rendered)) throw new TemplateError("render", `the value of header ${name} contains a line break`);
    headers[name.toLowerCase()] = rendered;
  }
  Object.assign(headers, authHeaders(api, options.redact ?? false));
  Object.assign(headers, webhookHeaders(signingSecretsAt(api, now), webhookId, now, body));
  return { url: renderLookupUrl(step.url, scope), method: step.method, headers, body, timeoutMs: api.config.timeout_ms };
}
