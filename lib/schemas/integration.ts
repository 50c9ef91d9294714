import { z } from "zod";
import { apiScopes } from "@/lib/scopes";

/**
 * Input schemas of the CRM integration (outbound APIs, technical users,
 * delivery-log filters), shared by the API-access forms, the tRPC router, the
 * REST API and the services. Field names are API.md's (snake_case) because the
 * same object is the REST body. Custom messages are i18n keys.
 */

export const outboundApiKinds = ["data_lookup", "incoming_notification", "end_of_call", "event_hook"] as const;
export type OutboundApiKind = (typeof outboundApiKinds)[number];

/** Events a custom hook (`event_hook`) can subscribe to. */
/** How an end-of-call API links recordings: the stored WAV, or an mp3 encoded on first fetch (CRMs such as MiniCRM play only mp3). */
export const recordingFormats = ["wav", "mp3"] as const;
export type RecordingFormat = (typeof recordingFormats)[number];

export const hookEventTypes = ["agent.state_changed", "call.answered", "call.transferred", "voicemail.left"] as const;
export type HookEventType = (typeof hookEventTypes)[number];

export const httpMethods = ["POST", "PUT", "PATCH"] as const;
/** A look-up may also read (most CRM search endpoints are GETs); a GET sends no body. */
export const lookupMethods = ["GET", "POST", "PUT", "PATCH"] as const;
export const MAX_LOOKUP_STEPS = 3;

export const DEFAULT_RETRY_INTERVALS_S = [5, 300, 1800, 7200, 18000, 36000, 36000];
export const DEFAULT_LOOKUP_TIMEOUT_MS = 3_000;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
export const DEFAULT_NOTIFICATION_TTL_S = 900;
/** Retry windows stay under 20 days, so a recording link signed for 30 days outlives every retry. */
export const MAX_RETRY_COUNT = 20;
export const MAX_RETRY_INTERVAL_S = 86_400;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the engine owns (framing, signatures) or that have their own field (auth). */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "authorization",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
]);

export const headerNameSchema = z
  .string()
  .trim()
  .min(1, { error: "integration.errors.headerName" })
  .max(100)
  .regex(HEADER_NAME, { error: "integration.errors.headerName" })
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith("proxy-"), {
    error: "integration.errors.headerReserved",
  });

const headerValueSchema = z
  .string()
  .max(2000)
  .regex(/^[^\r\n\0]*$/, { error: "integration.errors.headerValue" });

const nameSchema = z.string().trim().min(1, { error: "errors.required" }).max(80);

export const outboundUrlSchema = z
  .string()
  .trim()
  .min(1, { error: "errors.required" })
  .max(2000)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: "integration.errors.url" },
  )
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.username === "" && url.password === "";
      } catch {
        return true;
      }
    },
    { error: "integration.errors.urlCredentials" },
  );

/** CRM credentials. A secret left out on update keeps the stored one; it is never sent back. */
export const authInputSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  z.strictObject({ type: z.literal("basic"), username: z.string().trim().min(1, { error: "errors.required" }).max(200), password: z.string().max(500).optional() }),
  z.strictObject({ type: z.literal("bearer"), token: z.string().max(4000).optional() }),
  z.strictObject({ type: z.literal("header"), name: headerNameSchema, value: headerValueSchema.optional() }),
]);
export type AuthInput = z.input<typeof authInputSchema>;

export const retrySchema = z.strictObject({
  count: z.number().int().min(0).max(MAX_RETRY_COUNT),
  intervals_s: z
    .array(z.number().int().min(1, { error: "integration.errors.retryInterval" }).max(MAX_RETRY_INTERVAL_S, { error: "integration.errors.retryInterval" }))
    .min(1, { error: "integration.errors.retryIntervals" })
    .max(MAX_RETRY_COUNT),
});
export type RetryConfig = z.output<typeof retrySchema>;
export const defaultRetry = (): RetryConfig => ({ count: DEFAULT_RETRY_INTERVALS_S.length, intervals_s: [...DEFAULT_RETRY_INTERVALS_S] });

const jsonPathSchema = z.string().trim().max(300);
const fieldNameSchema = z.string().regex(/^[a-z_][a-z0-9_]*$/i, { error: "integration.errors.variableName" }).max(64);

/**
 * Where the look-up reply's fields are, as JSONPath (evaluated without
 * scripts). Empty: not read. `owner_user_id` is a CRM user id that the API's
 * `user_map` turns into the extension; `fields` are named values later steps
 * of the chain use as `{{ fields.<name> }}`.
 */
export const responseMappingSchema = z.strictObject({
  extension: jsonPathSchema,
  contact_id: jsonPathSchema,
  contact_name: jsonPathSchema,
  contact_company: jsonPathSchema.default(""),
  contact_url: jsonPathSchema.default(""),
  variables: jsonPathSchema,
  owner_user_id: jsonPathSchema.default(""),
  fields: z.record(fieldNameSchema, jsonPathSchema).default({}),
});
export type ResponseMapping = z.output<typeof responseMappingSchema>;
export const defaultResponseMapping = (): ResponseMapping => ({
  extension: "$.extension",
  contact_id: "$.contact.id",
  contact_name: "$.contact.name",
  contact_company: "$.contact.company",
  contact_url: "$.contact.url",
  variables: "$.variables",
  owner_user_id: "",
  fields: {},
});

/** What a failed look-up (timeout, error reply, breaker open) does: the node's `error` branch, or `not_found` with these variables. */
export const lookupFallbackSchema = z.strictObject({
  branch: z.enum(["error", "not_found"]),
  variables: z.record(fieldNameSchema, z.string().max(500)).default({}),
});
export type LookupFallback = z.output<typeof lookupFallbackSchema>;

/**
 * A look-up's URL is a Liquid template over the call (API.md's URL plus
 * `{{ … }}` in its path and query, every value URL-encoded as it is
 * inserted). The scheme and host stay literal, so the address the network
 * policy judges is the one the admin wrote.
 */
export const lookupUrlTemplateSchema = outboundUrlSchema.refine((value) => !/[{}]/.test(value.replace(/^[a-z]+:\/\//i, "").split("/")[0]), {
  error: "integration.errors.urlTemplateHost",
});

/** A further request of a look-up chain; it reads the earlier steps' mapped values as `{{ fields.<name> }}`. */
export const lookupStepSchema = z.strictObject({
  method: z.enum(lookupMethods).default("GET"),
  url: lookupUrlTemplateSchema,
  body_template: z.string().max(4000).nullable().default(null),
  response_mapping: responseMappingSchema,
});
export type LookupStep = z.output<typeof lookupStepSchema>;

/** One CRM user and the extension that rings for them (a look-up's `owner_user_id` goes through this table). */
export const userMapEntrySchema = z.strictObject({
  crm_user_id: z.string().trim().min(1, { error: "errors.required" }).max(100),
  crm_user_name: z.string().trim().max(120).optional(),
  extension: z.string().trim().regex(/^\d{2,6}$/, { error: "integration.errors.userMapExtension" }),
});
export type UserMapEntry = z.output<typeof userMapEntrySchema>;

/** Where the CRM lists its users, for the form's "Load users from the CRM" (a GET with the API's credentials). */
export const usersRequestSchema = z.strictObject({
  url: outboundUrlSchema,
  /** JSONPath of the list of users in the reply. */
  items: jsonPathSchema.min(1, { error: "errors.required" }),
  /** JSONPath of a user's id and name, within one item. */
  id: jsonPathSchema.min(1, { error: "errors.required" }),
  name: jsonPathSchema.default(""),
});
export type UsersRequest = z.output<typeof usersRequestSchema>;

export const userMapSchema = z
  .array(userMapEntrySchema)
  .max(1000)
  .refine((entries) => new Set(entries.map((entry) => entry.crm_user_id)).size === entries.length, { error: "integration.errors.userMapDuplicate" });

const commonFields = {
  name: nameSchema,
  enabled: z.boolean().default(true),
  url: outboundUrlSchema,
  method: z.enum(httpMethods).default("POST"),
  auth: authInputSchema.default({ type: "none" }),
  headers: z.record(headerNameSchema, headerValueSchema).default({}),
  apply_to: z.enum(["all_calls", "flow_nodes"]).default("flow_nodes"),
  /** Liquid; empty or null sends the standard payload. */
  body_template: z.string().max(4000).nullable().default(null),
  /** A secret the body template can use as `{{ secret }}` (e.g. MiniCRM's ApiKey); stored encrypted. */
  body_secret: z.string().max(500).optional(),
  /** The preset the form started from, for the form only. */
  preset: z.string().max(40).nullable().default(null),
};

export const outboundApiInputSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("data_lookup"),
    ...commonFields,
    url: lookupUrlTemplateSchema,
    method: z.enum(lookupMethods).default("POST"),
    /** The whole chain (this request and `next_steps`) shares this one budget. */
    timeout_ms: z.number().int().min(100).max(10_000).default(DEFAULT_LOOKUP_TIMEOUT_MS),
    response_mapping: responseMappingSchema.default(defaultResponseMapping),
    /** Requests after the first one (at most MAX_LOOKUP_STEPS in all); stored configs without it are one-request look-ups. */
    next_steps: z.array(lookupStepSchema).max(MAX_LOOKUP_STEPS - 1, { error: "integration.errors.tooManySteps" }).default([]),
    user_map: userMapSchema.default([]),
    users_request: usersRequestSchema.nullable().default(null),
    fallback: lookupFallbackSchema.default({ branch: "error", variables: {} }),
  }),
  z.strictObject({
    kind: z.literal("incoming_notification"),
    ...commonFields,
    timeout_ms: z.number().int().min(100).max(30_000).default(DEFAULT_DELIVERY_TIMEOUT_MS),
    trigger: z.enum(["ringing", "answered"]).default("ringing"),
    retry: retrySchema.default(defaultRetry),
    ttl_s: z.number().int().min(10).max(86_400).default(DEFAULT_NOTIFICATION_TTL_S),
  }),
  z.strictObject({
    kind: z.literal("end_of_call"),
    ...commonFields,
    timeout_ms: z.number().int().min(100).max(30_000).default(DEFAULT_DELIVERY_TIMEOUT_MS),
    send_recordings: z.boolean().default(true),
    /** Configs stored before the choice existed parse as WAV, what they always sent. */
    recording_format: z.enum(recordingFormats).default("wav"),
    /** Partial CDRs of transferred / picked-up legs, each as its own `call.ended` with `is_final: false`. */
    send_partials: z.boolean().default(true),
    retry: retrySchema.default(defaultRetry),
  }),
  z.strictObject({
    kind: z.literal("event_hook"),
    ...commonFields,
    timeout_ms: z.number().int().min(100).max(30_000).default(DEFAULT_DELIVERY_TIMEOUT_MS),
    events: z.array(z.enum(hookEventTypes)).min(1, { error: "integration.errors.events" }),
    retry: retrySchema.default(defaultRetry),
  }),
]);
export type OutboundApiInput = z.input<typeof outboundApiInputSchema>;
export type OutboundApiData = z.output<typeof outboundApiInputSchema>;

export const rotateGraceSchema = z.strictObject({
  id: z.string().min(1),
  /** How long the old secret keeps working; 0 revokes it at once. */
  grace_hours: z.number().int().min(0).max(24 * 30).default(24),
});

// ── technical users ──────────────────────────────────────────────────

const IPV4_CIDR = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6_CIDR = /^[0-9a-f:.]+(\/\d{1,3})?$/i;

/** One allow-list entry: an IPv4/IPv6 address or CIDR range. */
export const ipAllowEntrySchema = z
  .string()
  .trim()
  .max(64)
  .refine((value) => {
    if (IPV4_CIDR.test(value)) {
      const [address, bits] = value.split("/");
      return address.split(".").every((part) => Number(part) <= 255) && (bits === undefined || Number(bits) <= 32);
    }
    if (IPV6_CIDR.test(value) && value.includes(":")) {
      const bits = value.split("/")[1];
      return bits === undefined || Number(bits) <= 128;
    }
    return false;
  }, { error: "integration.errors.ipEntry" });

export const ipAllowlistSchema = z.array(ipAllowEntrySchema).max(50);

// ── delivery log ──────────────────────────────────────────────────────

export const deliveryFilterSchema = z.strictObject({
  outbound_api_id: z.string().min(1).optional(),
  status: z.enum(["pending", "in_flight", "succeeded", "failed", "dead", "expired"]).optional(),
  event_type: z.string().max(60).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});
export type DeliveryFilter = z.input<typeof deliveryFilterSchema>;

// ── technical users (API clients) ─────────────────────────────────────

export const technicalUserInputSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "errors.required" }).max(80),
  scopes: z.array(z.enum(apiScopes)).min(1, { error: "integration.errors.scopes" }).optional(),
  ipAllowlist: ipAllowlistSchema.default([]),
});
export type TechnicalUserInput = z.input<typeof technicalUserInputSchema>;

export const technicalUserRotateSchema = z.strictObject({
  id: z.string().min(1),
  /** How long the old secret keeps working, so the CRM can switch without downtime; 0 ends it at once. */
  graceHours: z.number().int().min(0).max(24 * 30).default(24),
});
