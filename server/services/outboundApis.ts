import { asc, eq } from "drizzle-orm";
import { newId } from "@/lib/ids";
import {
  outboundApiInputSchema,
  responseMappingSchema,
  rotateGraceSchema,
  type HookEventType,
  type LookupStep,
  type OutboundApiData,
  type OutboundApiInput,
  type RecordingFormat,
  type ResponseMapping,
  type UserMapEntry,
  type UsersRequest,
} from "@/lib/schemas/integration";
import { toE164 } from "@/lib/phone";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import type { Db } from "../db/client";
import { outboundApis } from "../db/schema";
import { parseOutboundApi, type OutboundApi, type StoredCredentials } from "../integration/catalog";
import { renderBody } from "../integration/body";
import { buildLookupRequest, lookupSteps } from "../integration/request";
import { FrozenEvent } from "../integration/events";
import { literalRefusal, outboundNetworkPolicy } from "../integration/networkPolicy";
import { sealSecret, secretHint } from "../integration/secretBox";
import { generateSigningSecret } from "../integration/signing";
import { sampleEvent } from "../integration/samples";
import type { HttpSender } from "../integration/httpSender";
import { presets, type Preset } from "../integration/presets";
import { applyResponseMapping, type MappedReply } from "../integration/responseMapping";
import { defaultSender, sendTestEvent, type TestReport } from "../integration/testSend";
import { loadCrmUsers, type CrmUsersResult } from "../integration/crmUsers";
import { notFound, ServiceError } from "./errors";
import { getPublicUrl } from "./settings";

/**
 * Outbound API configurations (API.md §Outbound API configuration): the one
 * place that validates, encrypts and stores them, called by the portal (tRPC)
 * and the REST API alike. CRM credentials and signing secrets are sealed at
 * rest; views show only hints. The signing secret is returned on create and
 * on rotation, never again.
 */
export interface OutboundApiView {
  id: string;
  name: string;
  kind: OutboundApiData["kind"];
  enabled: boolean;
  /** `gone` when the CRM answered 410 and the system disabled it. */
  disabled_reason: string | null;
  url: string;
  method: string;
  auth: { type: "none" | "basic" | "bearer" | "header"; username?: string; name?: string; secret_hint: string | null };
  headers: Record<string, string>;
  timeout_ms: number;
  apply_to: "all_calls" | "flow_nodes";
  trigger?: "ringing" | "answered";
  ttl_s?: number;
  response_mapping?: ResponseMapping;
  /** Data look-ups: the requests after the first one (the chain shares `timeout_ms`). */
  next_steps?: LookupStep[];
  /** Data look-ups: CRM user id → extension, for an `owner_user_id` mapping. */
  user_map?: UserMapEntry[];
  /** Data look-ups: where the CRM lists its users (the form's "Load users from the CRM"). */
  users_request?: UsersRequest | null;
  fallback?: { branch: "error" | "not_found"; variables: Record<string, string> };
  send_recordings?: boolean;
  recording_format?: RecordingFormat;
  send_partials?: boolean;
  events?: HookEventType[];
  retry?: { count: number; intervals_s: number[] };
  body_template: string | null;
  body_secret_hint: string | null;
  preset: string | null;
  signing_secret_hint: string;
  /** While a rotation's grace period runs, the previous secret still signs too. */
  previous_signing_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toView(api: OutboundApi, now: number = Date.now()): OutboundApiView {
  const { config, credentials } = api;
  const { auth: _auth, body_secret: _bodySecret, ...rest } = config;
  const auth = config.auth;
  return {
    ...rest,
    id: api.id,
    name: api.name,
    kind: api.kind,
    enabled: api.enabled,
    disabled_reason: api.disabledReason,
    auth: {
      type: auth.type,
      ...(auth.type === "basic" ? { username: auth.username } : {}),
      ...(auth.type === "header" ? { name: auth.name } : {}),
      secret_hint: credentials.auth_secret ? secretHint(credentials.auth_secret) : null,
    },
    body_secret_hint: credentials.body_secret ? secretHint(credentials.body_secret) : null,
    signing_secret_hint: secretHint(api.signingSecret),
    previous_signing_secret_expires_at:
      api.previousSigningSecret && (api.previousSigningSecretExpiresAt ?? 0) > now ? new Date(api.previousSigningSecretExpiresAt ?? 0).toISOString() : null,
    created_at: new Date(api.createdAt).toISOString(),
    updated_at: new Date(api.updatedAt).toISOString(),
  } as OutboundApiView;
}

async function loadApi(db: Db, id: string): Promise<OutboundApi> {
  const [row] = await db.select().from(outboundApis).where(eq(outboundApis.id, id)).limit(1);
  if (!row) throw notFound("outbound API", id);
  return parseOutboundApi(row);
}

export async function getOutboundApi(db: Db, id: string): Promise<OutboundApiView> {
  return toView(await loadApi(db, id));
}

export async function listOutboundApis(db: Db): Promise<OutboundApiView[]> {
  const rows = await db.select().from(outboundApis).orderBy(asc(outboundApis.kind), asc(outboundApis.name));
  return rows.map((row) => toView(parseOutboundApi(row)));
}

function authSecretOf(data: OutboundApiData): string | undefined {
  const auth = data.auth;
  if (auth.type === "basic") return auth.password || undefined;
  if (auth.type === "bearer") return auth.token || undefined;
  if (auth.type === "header") return auth.value || undefined;
  return undefined;
}

/** The config as stored: no secrets in it (they go to the sealed credentials). */
function storedConfig(data: OutboundApiData): Record<string, unknown> {
  const { body_secret: _bodySecret, kind: _kind, name: _name, enabled: _enabled, ...config } = data;
  const auth = data.auth;
  const storedAuth =
    auth.type === "basic" ? { type: "basic", username: auth.username } : auth.type === "header" ? { type: "header", name: auth.name } : { type: auth.type };
  return { ...config, auth: storedAuth };
}

/** Validates everything a schema cannot: secrets present, body template renders, URL not refused by the network policy. */
function validate(data: OutboundApiData, credentials: StoredCredentials): void {
  if (data.auth.type !== "none" && !credentials.auth_secret) {
    const field = data.auth.type === "basic" ? "auth.password" : data.auth.type === "bearer" ? "auth.token" : "auth.value";
    throw new ServiceError("invalid", `${field} is required`, { field, messageKey: "integration.errors.secretRequired" });
  }
  const refused = literalRefusal(outboundNetworkPolicy(), data.url);
  if (refused) throw new ServiceError("invalid", refused.message, { field: "url", messageKey: "integration.errors.urlRefused" });
  if (data.body_template?.trim() || data.kind === "data_lookup") {
    const trial: OutboundApi = {
      id: "trial",
      name: data.name,
      kind: data.kind,
      enabled: true,
      disabledReason: null,
      config: data,
      credentials,
      signingSecret: "whsec_trial",
      previousSigningSecret: null,
      previousSigningSecretExpiresAt: null,
      createdAt: 0,
      updatedAt: 0,
    };
    const event = FrozenEvent.of(sampleEvent(data.kind, data.kind === "event_hook" ? data.events[0] : undefined));
    if (data.kind === "data_lookup") {
      validateLookupSteps(trial, event);
      return;
    }
    try {
      renderBody(trial, event, "msg_trial");
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new ServiceError("invalid", `body_template: ${error.message}`, { field: "body_template", messageKey: "integration.errors.template" });
    }
  }
}

/**
 * Each step of a look-up renders for the sample call, with every field the
 * steps map set to a sample value (what a real reply would give), so a
 * misspelt variable is refused on save, not found on the first call.
 */
/** Flow variables are only known during a call: on save, every name a template asks for exists. */
const anyVariable = new Proxy(
  {},
  {
    get: (_target, key) => (typeof key === "string" ? "1" : undefined),
    has: () => true,
    getOwnPropertyDescriptor: () => ({ value: "1", enumerable: true, configurable: true, writable: false }),
  },
);

function validateLookupSteps(api: OutboundApi, sample: FrozenEvent): void {
  const event = FrozenEvent.of({ ...sample.event, data: { ...(sample.event.data as object), variables: anyVariable } });
  const steps = lookupSteps(api);
  const standard = ["extension", "owner_user_id", "contact_id", "contact_name", "contact_company", "contact_url"];
  const fields = Object.fromEntries(steps.flatMap((step) => Object.keys(step.response_mapping.fields)).concat(standard).map((name) => [name, "1"]));
  steps.forEach((step, index) => {
    const at = index === 0 ? "" : `next_steps.${index - 1}.`;
    try {
      buildLookupRequest(api, step, index === 0, event, "msg_trial", 0, fields);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new ServiceError("invalid", `${at}url: ${error.message}`, { field: `${at}url`, messageKey: "integration.errors.template" });
    }
    const refused = literalRefusal(outboundNetworkPolicy(), step.url);
    if (refused) throw new ServiceError("invalid", refused.message, { field: `${at}url`, messageKey: "integration.errors.urlRefused" });
  });
  const usersRequest = api.config.kind === "data_lookup" ? api.config.users_request : null;
  const refusedUsers = usersRequest ? literalRefusal(outboundNetworkPolicy(), usersRequest.url) : null;
  if (refusedUsers) throw new ServiceError("invalid", refusedUsers.message, { field: "users_request.url", messageKey: "integration.errors.urlRefused" });
}

function credentialsFor(data: OutboundApiData, previous: StoredCredentials, previousAuthType: string | null): StoredCredentials {
  const keepAuth = previousAuthType === data.auth.type;
  return {
    auth_secret: authSecretOf(data) ?? (keepAuth ? previous.auth_secret : undefined),
    body_secret: data.body_secret === undefined ? previous.body_secret : data.body_secret || undefined,
  };
}

function sealCredentials(credentials: StoredCredentials): string | null {
  return credentials.auth_secret || credentials.body_secret ? sealSecret(JSON.stringify(credentials)) : null;
}

export async function createOutboundApi(
  db: Db,
  input: OutboundApiInput,
  clock: Clock = systemClock,
): Promise<{ outboundApi: OutboundApiView; signingSecret: string }> {
  const data = outboundApiInputSchema.parse(input);
  const credentials = credentialsFor(data, {}, null);
  validate(data, credentials);
  const id = newId("outboundApi");
  const signingSecret = generateSigningSecret();
  const now = clock.now();
  await db.insert(outboundApis).values({
      id,
      name: data.name,
      kind: data.kind,
      enabled: data.enabled,
      config: storedConfig(data),
      credentialsEncrypted: sealCredentials(credentials),
      signingSecretEncrypted: sealSecret(signingSecret),
      createdAt: now,
      updatedAt: now,
    });
  return { outboundApi: await getOutboundApi(db, id), signingSecret };
}

/** Replaces the configuration; secrets left out are kept. The kind cannot change (its log and flow nodes depend on it). */
export async function updateOutboundApi(db: Db, id: string, input: OutboundApiInput, clock: Clock = systemClock): Promise<OutboundApiView> {
  const current = await loadApi(db, id);
  const data = outboundApiInputSchema.parse(input);
  if (data.kind !== current.kind) {
    throw new ServiceError("invalid", "the kind of an outbound API cannot change", { field: "kind", messageKey: "integration.errors.kindChange" });
  }
  const credentials = credentialsFor(data, current.credentials, current.config.auth.type);
  validate(data, credentials);
  await db
    .update(outboundApis)
    .set({
      name: data.name,
      enabled: data.enabled,
      disabledReason: data.enabled ? null : current.disabledReason,
      config: storedConfig(data),
      credentialsEncrypted: sealCredentials(credentials),
      updatedAt: clock.now(),
    })
    .where(eq(outboundApis.id, id));
  return getOutboundApi(db, id);
}

/** Enabling resumes a queue paused by a 410 or by an admin; pending deliveries go out again. */
export async function setOutboundApiEnabled(db: Db, id: string, enabled: boolean, clock: Clock = systemClock): Promise<OutboundApiView> {
  await loadApi(db, id);
  await db.update(outboundApis).set({ enabled, disabledReason: null, updatedAt: clock.now() }).where(eq(outboundApis.id, id));
  return getOutboundApi(db, id);
}

/** Deletes the API with its delivery log and pending deliveries. */
export async function deleteOutboundApi(db: Db, id: string): Promise<void> {
  await loadApi(db, id);
  await db.delete(outboundApis).where(eq(outboundApis.id, id));
}

/** A new `whsec_` secret; the previous one keeps signing alongside it for the grace period so the CRM can switch without losing messages. */
export async function rotateSigningSecret(
  db: Db,
  input: { id: string; grace_hours?: number },
  clock: Clock = systemClock,
): Promise<{ signingSecret: string; previousValidUntil: string | null }> {
  const { id, grace_hours } = rotateGraceSchema.parse(input);
  const current = await loadApi(db, id);
  const signingSecret = generateSigningSecret();
  const now = clock.now();
  const expiresAt = grace_hours > 0 ? now + grace_hours * 3_600_000 : null;
  await db
    .update(outboundApis)
    .set({
      signingSecretEncrypted: sealSecret(signingSecret),
      previousSigningSecretEncrypted: expiresAt ? sealSecret(current.signingSecret) : null,
      previousSigningSecretExpiresAt: expiresAt,
      updatedAt: now,
    })
    .where(eq(outboundApis.id, id));
  return { signingSecret, previousValidUntil: expiresAt ? new Date(expiresAt).toISOString() : null };
}

/** The Test button: a sample event to the saved configuration's real URL (see integration/testSend.ts). */
export async function testOutboundApi(
  db: Db,
  id: string,
  options: { sender?: HttpSender; clock?: Clock; callerNumber?: string } = {},
): Promise<TestReport> {
  let callerNumber: string | undefined;
  if (options.callerNumber?.trim()) {
    callerNumber = toE164(options.callerNumber) ?? undefined;
    if (!callerNumber) throw new ServiceError("invalid", "caller_number is not a valid phone number", { field: "caller_number", messageKey: "integration.errors.testNumber" });
  }
  return sendTestEvent(await loadApi(db, id), options.sender, options.clock, { callerNumber, publicUrl: await getPublicUrl(db) });
}

/** "Load users from the CRM": the saved look-up API's users request, read into user-map rows (nothing is saved). */
export async function loadOutboundApiUsers(db: Db, id: string, options: { sender?: HttpSender } = {}): Promise<CrmUsersResult> {
  const api = await loadApi(db, id);
  if (api.config.kind !== "data_lookup" || !api.config.users_request) {
    throw new ServiceError("invalid", "this outbound API has no users request", { field: "users_request", messageKey: "integration.errors.noUsersRequest" });
  }
  return loadCrmUsers(api, options.sender ?? defaultSender());
}

/** The form's live preview: a pasted sample reply read through a response mapping. */
export function previewResponseMapping(input: { mapping: unknown; sample: string }): { valid_json: boolean; result: MappedReply | null } {
  const mapping = responseMappingSchema.parse(input.mapping);
  let reply: unknown;
  try {
    reply = JSON.parse(input.sample);
  } catch {
    return { valid_json: false, result: null };
  }
  return { valid_json: true, result: applyResponseMapping(mapping, reply) };
}

export function listPresets(): Preset[] {
  return presets;
}

/** What the flow editor's pickers offer for data_lookup / notify / send_call_data nodes. */
export async function outboundApiOptions(db: Db): Promise<{ id: string; label: string; kind: OutboundApiData["kind"] }[]> {
  return db
    .select({ id: outboundApis.id, label: outboundApis.name, kind: outboundApis.kind })
    .from(outboundApis)
    .orderBy(asc(outboundApis.name));
}
