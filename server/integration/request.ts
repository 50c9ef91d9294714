import type { OutboundRequest } from "./httpSender";
import { signingSecretsAt, type OutboundApi } from "./catalog";
import { contentTypeOf, renderBody, SECRET_PLACEHOLDER } from "./body";
import type { FrozenEvent } from "./events";
import { webhookHeaders } from "./signing";

/**
 * The exact request one attempt sends: body, the admin's headers, the CRM
 * credentials and fresh Standard Webhooks signature headers (new timestamp
 * per attempt, same `webhook-id`). `redact` builds the copy the portal shows.
 */
export function buildRequest(api: OutboundApi, event: FrozenEvent, webhookId: string, now: number, options: { redact?: boolean } = {}): OutboundRequest {
  const body = renderBody(api, event, webhookId, { redactSecret: options.redact });
  const headers: Record<string, string> = { "content-type": contentTypeOf(api), "user-agent": "Switchboard-Webhooks/1" };
  for (const [name, value] of Object.entries(api.config.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, authHeaders(api, options.redact ?? false));
  // The signature covers the body the CRM receives; the redacted copy's signature is shown as such.
  Object.assign(headers, webhookHeaders(signingSecretsAt(api, now), webhookId, now, options.redact ? renderBody(api, event, webhookId) : body));
  return { url: api.config.url, method: api.config.method, headers, body, timeoutMs: api.config.timeout_ms };
}

function authHeaders(api: OutboundApi, redact: boolean): Record<string, string> {
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
