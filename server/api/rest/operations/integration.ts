import { z } from "zod";
import { deliveryStatuses } from "@/server/db/schema";
import {
  hookEventTypes,
  lookupStepSchema,
  outboundApiInputSchema,
  outboundApiKinds,
  recordingFormats,
  responseMappingSchema,
  userMapSchema,
  usersRequestSchema,
  type RecordingFormat,
} from "@/lib/schemas/integration";
import * as outboundApis from "@/server/services/outboundApis";
import * as deliveries from "@/server/services/deliveries";
import { processClock, recordingsDir } from "@/server/runtime";
import { getDb } from "@/server/db/client";
import type { Db } from "@/server/db/client";
import { negotiateRecordingFormat, recordingResponse, serveRecording } from "@/server/integration/recordingFiles";
import { verifyRecordingToken } from "@/server/integration/recordingLinks";
import { defineOperation, type ApiRequestInfo, type RouteHandler } from "../operation";
import { ApiProblem, internalError, problemOf, problemResponse, zodFieldErrors } from "../problem";
import { componentLogger } from "@/server/logger";
import { idPathSchema, isoTimeSchema, listQuerySchema, listResponseSchema, paginate } from "../schemas/common";

// ── outbound APIs (API.md §Outbound API configuration) ────────────────

export const outboundApiSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(outboundApiKinds),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().describe("`gone` when the CRM answered 410 and Switchboard disabled it (its queue is paused)"),
    url: z.string(),
    method: z.string(),
    auth: z
      .object({
        type: z.enum(["none", "basic", "bearer", "header"]),
        username: z.string().optional(),
        name: z.string().optional().describe("Header name (type header)"),
        secret_hint: z.string().nullable().describe("Last characters of the stored credential; the credential itself is never returned"),
      })
      .describe("Credentials Switchboard sends to the CRM"),
    headers: z.record(z.string(), z.string()),
    timeout_ms: z.number().int().describe("Per attempt; for data look-ups the whole time budget"),
    apply_to: z.enum(["all_calls", "flow_nodes"]),
    trigger: z.enum(["ringing", "answered"]).optional().describe("incoming_notification: the moment for every-call notifications"),
    ttl_s: z.number().int().optional().describe("incoming_notification: dropped when not delivered within this"),
    response_mapping: responseMappingSchema
      .optional()
      .describe("data_lookup: JSONPath per field (extension, contact_id, contact_name, contact_company, contact_url, variables; owner_user_id goes through user_map; fields are named values for next_steps)"),
    next_steps: z.array(lookupStepSchema).optional().describe("data_lookup: up to 2 further requests; their URL and body templates read earlier values as {{ fields.<name> }} (named fields, and extension, owner_user_id, contact_id, contact_name, contact_company, contact_url)"),
    user_map: userMapSchema.optional().describe("data_lookup: CRM user id → extension, for response_mapping.owner_user_id"),
    users_request: usersRequestSchema.nullable().optional().describe("data_lookup: a GET (with the API's credentials) listing the CRM's users, for filling user_map"),
    fallback: z.object({ branch: z.enum(["error", "not_found"]), variables: z.record(z.string(), z.string()) }).optional().describe("data_lookup: what a failed look-up does"),
    send_recordings: z.boolean().optional().describe("end_of_call"),
    recording_format: z
      .enum(recordingFormats)
      .optional()
      .describe("end_of_call: the format the CDR's recording links serve (`format=mp3` in the URL for mp3); `wav` for configs saved before the choice existed"),
    send_partials: z.boolean().optional().describe("end_of_call: partial CDRs of closed legs"),
    events: z.array(z.enum(hookEventTypes)).optional().describe("event_hook: subscribed events"),
    retry: z.object({ count: z.number().int(), intervals_s: z.array(z.number().int()) }).optional(),
    body_template: z.string().nullable().describe("Liquid template of the body; null sends the standard payload"),
    body_secret_hint: z.string().nullable(),
    preset: z.string().nullable(),
    signing_secret_hint: z.string(),
    previous_signing_secret_expires_at: isoTimeSchema.nullable().describe("While set, messages carry the previous secret's signature too"),
    created_at: isoTimeSchema,
    updated_at: isoTimeSchema,
  })
  .meta({ id: "OutboundApi" });

const createdOutboundApiSchema = outboundApiSchema
  .extend({ signing_secret: z.string().describe("The `whsec_` secret the CRM verifies signatures with. Returned only here.") })
  .meta({ id: "CreatedOutboundApi" });

const outboundApiBodyDocs = outboundApiInputSchema.meta({
  id: "OutboundApiInput",
  description: "Secrets (password, token, header value, body_secret) are write-only; leave them out on PUT to keep the stored ones.",
});

export const listOutboundApis = defineOperation({
  method: "GET",
  path: "/outbound-apis",
  operationId: "listOutboundApis",
  summary: "List outbound APIs",
  tag: "Outbound APIs",
  scope: "outbound-apis:read",
  query: listQuerySchema,
  response: listResponseSchema(outboundApiSchema),
  handler: async ({ db, query }) => paginate(await outboundApis.listOutboundApis(db), query, (api) => `${api.name} ${api.url} ${api.kind}`),
});

export const createOutboundApi = defineOperation({
  method: "POST",
  path: "/outbound-apis",
  operationId: "createOutboundApi",
  summary: "Create an outbound API",
  description: "Returns the signing secret once.",
  tag: "Outbound APIs",
  scope: "outbound-apis:write",
  body: outboundApiBodyDocs,
  idempotent: true,
  status: 201,
  response: createdOutboundApiSchema,
  handler: async ({ db, body }) => {
    const { outboundApi, signingSecret } = await outboundApis.createOutboundApi(db, body);
    return { ...outboundApi, signing_secret: signingSecret };
  },
});

export const getOutboundApi = defineOperation({
  method: "GET",
  path: "/outbound-apis/{id}",
  operationId: "getOutboundApi",
  summary: "Get an outbound API",
  tag: "Outbound APIs",
  scope: "outbound-apis:read",
  params: idPathSchema,
  response: outboundApiSchema,
  errors: [404],
  handler: ({ db, params }) => outboundApis.getOutboundApi(db, params.id),
});

export const updateOutboundApi = defineOperation({
  method: "PUT",
  path: "/outbound-apis/{id}",
  operationId: "updateOutboundApi",
  summary: "Replace an outbound API's configuration",
  description: "The kind cannot change. Secrets left out keep their stored values.",
  tag: "Outbound APIs",
  scope: "outbound-apis:write",
  params: idPathSchema,
  body: outboundApiBodyDocs,
  response: outboundApiSchema,
  errors: [404],
  handler: ({ db, params, body }) => outboundApis.updateOutboundApi(db, params.id, body),
});

export const deleteOutboundApi = defineOperation({
  method: "DELETE",
  path: "/outbound-apis/{id}",
  operationId: "deleteOutboundApi",
  summary: "Delete an outbound API with its delivery log",
  tag: "Outbound APIs",
  scope: "outbound-apis:write",
  params: idPathSchema,
  status: 204,
  errors: [404],
  handler: async ({ db, params }) => {
    await outboundApis.deleteOutboundApi(db, params.id);
  },
});

const testReportSchema = z
  .object({
    ok: z.boolean(),
    request: z.object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() }).describe("The last request sent, credentials masked"),
    response: z.object({ status: z.number().int(), headers: z.record(z.string(), z.string()), body: z.string(), body_truncated: z.boolean() }).nullable(),
    latency_ms: z.number(),
    error: z.object({ class: z.string(), message: z.string() }).nullable(),
    lookup: z
      .object({
        result: z.looseObject({ status: z.enum(["found", "not_found", "error"]) }).describe("What the flow's look-up node would get: extension, contact, variables"),
        steps: z.array(z.looseObject({ outcome: z.enum(["next", "found", "not_found", "failed"]) }).describe("request, response, latency_ms, error, mapped")),
      })
      .optional()
      .describe("data_lookup: every request of the chain with its reply and what the mapping read"),
    crm_message: z.object({ en: z.string(), hu: z.string() }).optional().describe("A connector's refusal in the CRM's words"),
  })
  .meta({ id: "OutboundApiTestReport" });

export const testOutboundApi = defineOperation({
  method: "POST",
  path: "/outbound-apis/{id}/test",
  operationId: "testOutboundApi",
  summary: "Send a sample event (a data look-up: run its chain for a number)",
  description: "Nothing is queued or retried. For a data look-up, `caller_number` replaces the sample caller.",
  tag: "Outbound APIs",
  scope: "outbound-apis:write",
  params: idPathSchema,
  body: z.strictObject({ caller_number: z.string().max(32).optional() }),
  response: testReportSchema,
  errors: [404],
  handler: ({ db, params, body }) => outboundApis.testOutboundApi(db, params.id, { callerNumber: body.caller_number }),
});

// ── deliveries ─────────────────────────────────────────────────────────

const attemptSchema = z
  .object({
    attempt: z.number().int(),
    at: isoTimeSchema,
    status_code: z.number().int().nullable(),
    latency_ms: z.number(),
    error_class: z.string().nullable().describe("timeout, connection_refused, connection_reset, dns, tls, network_policy, http_status, redirect, bad_response, template, circuit_open, other"),
    error: z.string().nullable(),
    response_body: z.string().nullable().describe("First 4 KB of the reply"),
  })
  .meta({ id: "DeliveryAttempt" });

export const deliverySchema = z
  .object({
    id: z.string(),
    message_id: z.string().describe("The `webhook-id`, stable across retries and resends"),
    outbound_api_id: z.string(),
    outbound_api_name: z.string(),
    event_type: z.string(),
    conversation_id: z.string().nullable(),
    status: z.enum(deliveryStatuses),
    attempt_count: z.number().int(),
    next_attempt_at: isoTimeSchema.nullable(),
    expires_at: isoTimeSchema.nullable(),
    last_status_code: z.number().int().nullable(),
    last_error_class: z.string().nullable(),
    last_error: z.string().nullable(),
    created_at: isoTimeSchema,
    updated_at: isoTimeSchema,
    attempts: z.array(attemptSchema),
  })
  .meta({ id: "Delivery" });

export const listDeliveries = defineOperation({
  method: "GET",
  path: "/outbound-apis/{id}/deliveries",
  operationId: "listDeliveries",
  summary: "An outbound API's deliveries with their attempts",
  description: "Newest first.",
  tag: "Outbound APIs",
  scope: "outbound-apis:read",
  params: idPathSchema,
  query: listQuerySchema.omit({ search: true }).extend({
    status: z.enum(deliveryStatuses).optional(),
    event_type: z.string().max(60).optional(),
    since: z.iso.datetime({ offset: true }).optional().describe("Created at or after"),
    until: z.iso.datetime({ offset: true }).optional().describe("Created before"),
  }),
  response: listResponseSchema(deliverySchema),
  errors: [404],
  handler: async ({ db, params, query }) => {
    await outboundApis.getOutboundApi(db, params.id);
    return await deliveries.listDeliveries(db, { ...query, outbound_api_id: params.id });
  },
});

export const resendDelivery = defineOperation({
  method: "POST",
  path: "/deliveries/{id}/resend",
  operationId: "resendDelivery",
  summary: "Send a delivery again",
  description: "Same `webhook-id`, fresh retry schedule. Data look-ups cannot be resent (412); a delivery still queued gives 409.",
  tag: "Outbound APIs",
  scope: "outbound-apis:write",
  params: idPathSchema,
  status: 202,
  response: deliverySchema,
  errors: [404, 409, 412],
  handler: ({ db, params }) => deliveries.resendDelivery(db, params.id),
});

// ── recordings ─────────────────────────────────────────────────────────

const log = componentLogger("api");

const recordingQuerySchema = z.object({
  token: z.string().max(200).optional().describe("The signed token of a recording link from end-of-call data"),
  format: z
    .enum(recordingFormats)
    .optional()
    .describe("`wav` (the stored original) or `mp3` (mono, encoded on first request and cached). Without it, the `Accept` header decides; WAV by default."),
});

const recordingWithCredentials = defineOperation({
  method: "GET",
  path: "/recordings/{code}",
  operationId: "getRecording",
  summary: "Download a recording",
  description:
    "WAV or MP3 audio (`?format=mp3`, or `Accept: audio/mpeg`); `Range` requests are answered with 206 (416 when unsatisfiable), " +
    "an `Accept` that allows neither audio/wav nor audio/mpeg with 406. The code comes in end-of-call data. " +
    "Auth: credentials with the recordings:read scope, or the signed `token` of the CDR's recording link (no credentials needed; " +
    "one token serves both formats; an expired token is refused with 401).",
  tag: "Recordings",
  scope: "recordings:read",
  params: z.object({ code: z.string().max(64) }),
  query: recordingQuerySchema,
  responseContentType: ["audio/wav", "audio/mpeg"],
  responseDescription: "The recording (or the requested byte range, 206)",
  errors: [404, 406, 416],
  handler: ({ db, params, query, request }) => recordingOrProblem(db, params.code, query.format, request),
});

/** Audio in the requested format, or the API's problem+json for a missing recording, an unacceptable format or an unsatisfiable range. */
async function recordingOrProblem(db: Db, code: string, format: RecordingFormat | undefined, request: ApiRequestInfo): Promise<Response> {
  const chosen = format ?? negotiateRecordingFormat(request.headers.get("accept"));
  if (!chosen) {
    throw new ApiProblem(406, "The recording is available as audio/wav or audio/mpeg; the Accept header allows neither", {
      errors: [{ path: "header.Accept", code: "not_acceptable", message: "accept audio/wav or audio/mpeg, or use ?format=" }],
    });
  }
  const reply = await serveRecording(db, recordingsDir(), code, chosen, request.headers.get("range"));
  if (reply.status === 404) throw new ApiProblem(404, "No recording has this code");
  if (reply.status === 416) throw new ApiProblem(416, "The requested range is outside the recording", { headers: { "content-range": reply.headers["content-range"] } });
  return recordingResponse(reply);
}

/**
 * A recording link from end-of-call data carries its own signed token and
 * works without credentials; every other request goes through the API
 * pipeline (credentials, scope, rate limit) as usual.
 */
export const getRecording: RouteHandler = Object.assign(
  async (request: Request, context?: { params?: Promise<unknown> }): Promise<Response> => {
    const url = new URL(request.url);
    const token = url.searchParams.get("token");
    if (token === null) return recordingWithCredentials(request, context);
    const { code } = ((await context?.params) ?? {}) as { code?: string };
    const check = code ? verifyRecordingToken(code, token, processClock().now()) : ({ ok: false, reason: "invalid" } as const);
    if (check.ok && code) {
      try {
        const query = recordingQuerySchema.strict().safeParse(Object.fromEntries(url.searchParams));
        if (!query.success) throw new ApiProblem(400, "The query parameters are invalid", { errors: zodFieldErrors(query.error, "query.") });
        return await recordingOrProblem(getDb(), code, query.data.format, request);
      } catch (error) {
        const problem = problemOf(error);
        if (!problem) log.error({ err: error, code }, "serving a recording failed");
        return problemResponse(problem ?? internalError());
      }
    }
    if (request.headers.get("authorization")) return recordingWithCredentials(request, context);
    if (!check.ok && check.reason === "expired") {
      const expiredAt = new Date(check.expiredAtMs).toISOString();
      return problemResponse(
        new ApiProblem(401, `The recording link expired at ${expiredAt}; a fresh one comes with the next end-of-call delivery, or use client credentials with the recordings:read scope`, {
          errors: [{ path: "query.token", code: "expired", message: `expired at ${expiredAt}` }],
        }),
      );
    }
    return problemResponse(
      new ApiProblem(401, "The recording link is invalid; use client credentials with the recordings:read scope", { errors: [{ path: "query.token", code: "invalid_signature", message: "invalid signature" }] }),
    );
  },
  { operation: recordingWithCredentials.operation },
);
