import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_NOTIFICATION_TTL_S,
  DEFAULT_RETRY_INTERVALS_S,
  defaultResponseMapping,
  type HookEventType,
  type LookupStep,
  type OutboundApiInput,
  type OutboundApiKind,
  type RecordingFormat,
  type ResponseMapping,
  type UsersRequest,
} from "@/lib/schemas/integration";
import type { OutboundApiView } from "@/server/services/outboundApis";
import type { Preset } from "@/server/integration/presets";

/**
 * The outbound-API form as the browser edits it (strings in inputs, lists
 * of rows), and its conversion to and from the shared input schema's shape.
 * Secrets start empty: an empty secret keeps the stored one.
 */
export interface FormState {
  kind: OutboundApiKind;
  name: string;
  enabled: boolean;
  url: string;
  /** GET only for data look-ups. */
  method: "GET" | "POST" | "PUT" | "PATCH";
  timeoutMs: string;
  applyTo: "all_calls" | "flow_nodes";
  authType: "none" | "basic" | "bearer" | "header";
  username: string;
  authHeaderName: string;
  authSecret: string;
  headers: { name: string; value: string }[];
  trigger: "ringing" | "answered";
  ttlS: string;
  mapping: ResponseMapping;
  /** Data look-ups: the requests after the first, kept as the schema's data. */
  nextSteps: LookupStep[];
  /** Carried unchanged (set by a connector or the REST API). */
  usersRequest: UsersRequest | null;
  userMap: { crm_user_id: string; crm_user_name: string; extension: string }[];
  fallbackBranch: "error" | "not_found";
  fallbackVariables: { name: string; value: string }[];
  sendRecordings: boolean;
  recordingFormat: RecordingFormat;
  sendPartials: boolean;
  events: HookEventType[];
  retryCount: string;
  intervals: string[];
  bodyTemplate: string;
  bodySecret: string;
  preset: string | null;
}

/** `5s`, `5m`, `2h` (or plain seconds) ⇄ seconds. */
export function parseInterval(text: string): number | null {
  const match = /^\s*(\d+)\s*([smh]?)\s*$/i.exec(text);
  if (!match) return null;
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2].toLowerCase() as "s" | "m" | "h"] ?? 1);
}

export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export const defaultIntervals = () => DEFAULT_RETRY_INTERVALS_S.map(formatInterval);

export function emptyForm(kind: OutboundApiKind): FormState {
  return {
    kind,
    name: "",
    enabled: true,
    url: "",
    method: "POST",
    timeoutMs: String(kind === "data_lookup" ? DEFAULT_LOOKUP_TIMEOUT_MS : DEFAULT_DELIVERY_TIMEOUT_MS),
    applyTo: kind === "end_of_call" ? "all_calls" : "flow_nodes",
    authType: "none",
    username: "",
    authHeaderName: "",
    authSecret: "",
    headers: [],
    trigger: "ringing",
    ttlS: String(DEFAULT_NOTIFICATION_TTL_S),
    mapping: defaultResponseMapping(),
    nextSteps: [],
    usersRequest: null,
    userMap: [],
    fallbackBranch: "error",
    fallbackVariables: [],
    sendRecordings: true,
    recordingFormat: "wav",
    sendPartials: true,
    events: kind === "event_hook" ? ["call.answered"] : [],
    retryCount: String(DEFAULT_RETRY_INTERVALS_S.length),
    intervals: defaultIntervals(),
    bodyTemplate: "",
    bodySecret: "",
    preset: null,
  };
}

export function formFromView(view: OutboundApiView): FormState {
  const form = emptyForm(view.kind);
  return {
    ...form,
    name: view.name,
    enabled: view.enabled,
    url: view.url,
    method: view.method as FormState["method"],
    timeoutMs: String(view.timeout_ms),
    applyTo: view.apply_to,
    authType: view.auth.type,
    username: view.auth.username ?? "",
    authHeaderName: view.auth.name ?? "",
    headers: Object.entries(view.headers).map(([name, value]) => ({ name, value })),
    trigger: view.trigger ?? form.trigger,
    ttlS: String(view.ttl_s ?? form.ttlS),
    mapping: { ...form.mapping, ...(view.response_mapping ?? {}) },
    nextSteps: view.next_steps ?? [],
    usersRequest: view.users_request ?? null,
    userMap: (view.user_map ?? []).map((entry) => ({ crm_user_id: entry.crm_user_id, crm_user_name: entry.crm_user_name ?? "", extension: entry.extension })),
    fallbackBranch: view.fallback?.branch ?? "error",
    fallbackVariables: Object.entries(view.fallback?.variables ?? {}).map(([name, value]) => ({ name, value })),
    sendRecordings: view.send_recordings ?? true,
    recordingFormat: view.recording_format ?? "wav",
    sendPartials: view.send_partials ?? true,
    events: (view.events ?? []) as HookEventType[],
    retryCount: String(view.retry?.count ?? form.retryCount),
    intervals: view.retry ? view.retry.intervals_s.map(formatInterval) : form.intervals,
    bodyTemplate: view.body_template ?? "",
    preset: view.preset,
  };
}

/** A preset's values laid over the form (data only: what it sets is what the admin then sees). */
export function applyPreset(form: FormState, preset: Preset): FormState {
  const values = preset.values as Partial<OutboundApiInput> & Record<string, unknown>;
  const auth = values.auth as { type: FormState["authType"]; username?: string } | undefined;
  const mapping = values.response_mapping as Partial<ResponseMapping> | undefined;
  const fallback = values.fallback as { branch: FormState["fallbackBranch"]; variables?: Record<string, string> } | undefined;
  return {
    ...form,
    preset: preset.id,
    name: form.name || preset.label.en,
    url: (values.url as string | undefined) ?? form.url,
    method: (values.method as FormState["method"]) ?? form.method,
    timeoutMs: values.timeout_ms === undefined ? form.timeoutMs : String(values.timeout_ms),
    authType: auth?.type ?? form.authType,
    username: auth?.username ?? form.username,
    mapping: mapping ? { ...defaultResponseMapping(), ...mapping } : form.mapping,
    nextSteps: (values.next_steps as LookupStep[] | undefined) ?? form.nextSteps,
    usersRequest: (values.users_request as UsersRequest | null | undefined) ?? form.usersRequest,
    fallbackBranch: fallback?.branch ?? form.fallbackBranch,
    fallbackVariables: fallback ? Object.entries(fallback.variables ?? {}).map(([name, value]) => ({ name, value })) : form.fallbackVariables,
    headers: values.headers ? Object.entries(values.headers as Record<string, string>).map(([name, value]) => ({ name, value })) : form.headers,
    applyTo: (values.apply_to as FormState["applyTo"]) ?? form.applyTo,
    sendRecordings: (values.send_recordings as boolean | undefined) ?? form.sendRecordings,
    recordingFormat: (values.recording_format as RecordingFormat | undefined) ?? form.recordingFormat,
    sendPartials: (values.send_partials as boolean | undefined) ?? form.sendPartials,
    bodyTemplate: values.body_template === undefined ? form.bodyTemplate : ((values.body_template as string | null) ?? ""),
  };
}

const numberOrText = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text);

/** The shared schema's input; the schema (client and server) has the last word on validity. */
export function inputFromForm(form: FormState): OutboundApiInput {
  const secret = form.authSecret === "" ? undefined : form.authSecret;
  const auth =
    form.authType === "basic"
      ? { type: "basic" as const, username: form.username, password: secret }
      : form.authType === "bearer"
        ? { type: "bearer" as const, token: secret }
        : form.authType === "header"
          ? { type: "header" as const, name: form.authHeaderName, value: secret }
          : { type: "none" as const };
  const common = {
    name: form.name,
    enabled: form.enabled,
    url: form.url,
    // Only a look-up offers GET (set below); the schema refuses it elsewhere.
    method: form.method as Exclude<FormState["method"], "GET">,
    auth,
    headers: Object.fromEntries(form.headers.filter((h) => h.name.trim() !== "").map((h) => [h.name.trim(), h.value])),
    apply_to: form.applyTo,
    body_template: form.bodyTemplate.trim() === "" ? null : form.bodyTemplate,
    ...(form.bodySecret === "" ? {} : { body_secret: form.bodySecret }),
    preset: form.preset,
    timeout_ms: numberOrText(form.timeoutMs) as number,
  };
  const retry = {
    count: numberOrText(form.retryCount) as number,
    intervals_s: form.intervals.map((text) => parseInterval(text) ?? (text as unknown as number)),
  };
  switch (form.kind) {
    case "data_lookup":
      return {
        kind: "data_lookup",
        ...common,
        method: form.method,
        response_mapping: form.mapping,
        next_steps: form.nextSteps,
        users_request: form.usersRequest,
        // A user without an extension (e.g. loaded from the CRM, not yet assigned) has nothing to ring.
        user_map: form.userMap
          .filter((entry) => entry.extension.trim())
          .map((entry) => ({ crm_user_id: entry.crm_user_id, extension: entry.extension, ...(entry.crm_user_name.trim() ? { crm_user_name: entry.crm_user_name } : {}) })),
        fallback: { branch: form.fallbackBranch, variables: Object.fromEntries(form.fallbackVariables.filter((v) => v.name.trim()).map((v) => [v.name.trim(), v.value])) },
      };
    case "incoming_notification":
      return { kind: "incoming_notification", ...common, trigger: form.trigger, ttl_s: numberOrText(form.ttlS) as number, retry };
    case "end_of_call":
      return { kind: "end_of_call", ...common, send_recordings: form.sendRecordings, recording_format: form.recordingFormat, send_partials: form.sendPartials, retry };
    case "event_hook":
      return { kind: "event_hook", ...common, events: form.events, retry };
  }
}
