import { renderTemplate } from "@/flows/templates/render";
import { TemplateError } from "@/flows/templates/errors";
import type { Cdr, CdrRecording } from "../pbx/cdr";
import type { OutboundApi } from "./catalog";
import type { CallEndedData, FrozenEvent, WebhookEvent } from "./events";

/**
 * What one endpoint receives for one event: the standard payload, or the
 * admin's Liquid body template rendered in the sandboxed engine. Rendered at
 * send time from the frozen event, so the template secret (`{{ secret }}`)
 * is never stored in clear text in the outbox.
 */
export const SECRET_PLACEHOLDER = "••••";

const EXTENSION = /^\d{2,6}$/;

/** The recordings this endpoint's CDRs carry: none, the WAV links as frozen, or the same links asking for mp3. */
function recordingsPolicy(api: OutboundApi, type: string): "none" | "mp3" | "as_frozen" {
  if (type !== "call.ended" || api.config.kind !== "end_of_call") return "as_frozen";
  if (!api.config.send_recordings) return "none";
  return api.config.recording_format === "mp3" ? "mp3" : "as_frozen";
}

/** The same recording and token, served as mp3: the signed token covers every format of its recording. */
function asMp3Link(recording: CdrRecording): CdrRecording {
  const separator = recording.url.includes("?") ? "&" : "?";
  return { code: recording.code, url: `${recording.url}${separator}format=mp3`, duration_s: recording.duration_s, format: "mp3", size_bytes: null, sha256: null };
}

/** Per-endpoint shaping of the frozen event: recordings left out when the admin turned sending them off, or linked as mp3. */
export function eventForEndpoint(api: OutboundApi, event: WebhookEvent): WebhookEvent {
  const policy = recordingsPolicy(api, event.type);
  if (policy === "as_frozen") return event;
  const shape = (recordings: CdrRecording[]) => (policy === "none" ? [] : recordings.map(asMp3Link));
  const cdr = event.data as Cdr;
  return { ...event, data: { ...cdr, recordings: shape(cdr.recordings), legs: cdr.legs?.map((leg) => ({ ...leg, recordings: shape(leg.recordings) })) } };
}

const utcText = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");

/**
 * Flat, format-friendly facts about a CDR for body templates (CRM call logs
 * want these, not the nested record). `contact` is what the call's look-ups
 * found (absent in messages frozen before CDRs carried it).
 */
export function cdrSummary(cdr: Cdr & { contact?: CallEndedData["contact"] }, publicUrl = "") {
  const recordingUrl = cdr.recordings[0]?.url ?? "";
  const internal = [cdr.answered_by?.extension, cdr.requested.extension, EXTENSION.test(cdr.caller.number) ? cdr.caller.number : null].find(Boolean) ?? "";
  return {
    direction: cdr.direction,
    external_number: cdr.direction === "inbound" ? cdr.caller.number : cdr.called_number,
    extension: internal,
    missed: cdr.direction === "inbound" && cdr.disposition !== "answered",
    answered: cdr.disposition === "answered",
    disposition: cdr.disposition,
    started_at_utc: utcText(cdr.started_at),
    ended_at_utc: utcText(cdr.ended_at),
    duration_s: Math.round(cdr.duration_s),
    talk_time_s: Math.round(cdr.talk_time_s),
    recording_code: cdr.recordings[0]?.code ?? "",
    /** Path and signed token of the first recording, in the API's chosen format. */
    recording_url: recordingUrl,
    /** The same link with the public address (Settings) in front, for CRMs that fetch it; the path alone while none is set. */
    recording_url_absolute: recordingUrl === "" ? "" : `${publicUrl}${recordingUrl}`,
    recording_format: cdr.recordings[0]?.format ?? "",
    contact_id: cdr.contact?.id ?? "",
    contact_name: cdr.contact?.name ?? "",
    contact_company: cdr.contact?.company ?? "",
  };
}

/** What a body template sees. `publicUrl` is asked only for call records, so other messages need no settings read. */
export function templateScope(event: WebhookEvent, webhookId: string, secret: string, publicUrl: () => string = () => "") {
  const summary = event.type === "call.ended" ? cdrSummary(event.data as CallEndedData, publicUrl()) : null;
  return { type: event.type, timestamp: event.timestamp, data: event.data, webhook_id: webhookId, secret, summary };
}

function isJsonContent(api: OutboundApi): boolean {
  const contentType = Object.entries(api.config.headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  return !contentType || /json/i.test(contentType);
}

/** The request body; throws TemplateError when the template fails or does not produce the JSON it promises. */
export interface RenderBodyOptions {
  redactSecret?: boolean;
  /** This server's public origin (the Settings page), read when a template renders a call record. */
  publicUrl?: () => string;
}

export function renderBody(api: OutboundApi, frozen: FrozenEvent, webhookId: string, options: RenderBodyOptions = {}): string {
  const template = api.config.body_template?.trim();
  if (!template && recordingsPolicy(api, frozen.type) === "as_frozen") return frozen.raw;
  const shaped = eventForEndpoint(api, frozen.event);
  if (!template) return JSON.stringify(shaped);
  const secret = options.redactSecret ? SECRET_PLACEHOLDER : (api.credentials.body_secret ?? "");
  return renderBodyTemplate(api, template, templateScope(shaped, webhookId, secret, options.publicUrl));
}

/** A body template rendered over `scope`; when the content type is JSON the result must parse as JSON. */
export function renderBodyTemplate(api: OutboundApi, template: string, scope: object): string {
  const body = renderTemplate(template, scope);
  if (isJsonContent(api)) {
    try {
      JSON.parse(body);
    } catch (error) {
      throw new TemplateError("render", `the body template did not produce valid JSON (${(error as Error).message})`);
    }
  }
  return body;
}

export function contentTypeOf(api: OutboundApi): string {
  return Object.entries(api.config.headers).find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? "application/json";
}
