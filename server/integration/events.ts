import type { CallInfo } from "@/flows/runtime/ports";
import type { Cdr } from "../pbx/cdr";
import type { AgentStateChange, CallPartyEventData, PbxEvent } from "../pbx/events";

/**
 * The webhook payloads of API.md §Webhooks: `{type, timestamp, data}`. Built
 * once when the event happens and frozen in the outbox; what each endpoint
 * receives is rendered from it (see body.ts).
 */
export interface WebhookEvent<Data = unknown> {
  type: string;
  timestamp: string;
  data: Data;
}

/**
 * An event as frozen in the outbox: its JSON text, parsed only when an
 * endpoint needs more than the standard payload (a template, recordings
 * left out) — the common case sends the stored text as it is.
 */
export class FrozenEvent {
  private parsed: WebhookEvent | undefined;

  constructor(
    readonly type: string,
    readonly raw: string,
  ) {}

  static of(event: WebhookEvent): FrozenEvent {
    const frozen = new FrozenEvent(event.type, JSON.stringify(event));
    frozen.parsed = event;
    return frozen;
  }

  get event(): WebhookEvent {
    this.parsed ??= JSON.parse(this.raw) as WebhookEvent;
    return this.parsed;
  }
}

export interface ContactCard {
  id?: string;
  name?: string;
  company?: string;
  url?: string;
}

/** A `call.ended` payload: the CDR plus the contact the call's look-ups found (frozen with it, so a restart before delivery keeps it). */
export type CallEndedData = Cdr & { contact: ContactCard | null };

export function callEndedEvent(cdr: Cdr, contact: ContactCard | null, at: string): WebhookEvent<CallEndedData> {
  return { type: "call.ended", timestamp: at, data: { ...cdr, contact } };
}

export function incomingCallEvent(
  data: CallPartyEventData,
  trigger: "ringing" | "answered",
  contact: ContactCard | null,
  at: string,
): WebhookEvent {
  return {
    type: "call.incoming",
    timestamp: at,
    data: {
      call_id: data.call_id,
      conversation_id: data.conversation_id,
      leg_id: data.leg_id,
      trigger,
      direction: data.direction,
      caller: data.caller,
      called_number: data.called_number,
      callee: { extension: data.callee.extension, user_id: data.callee.user_id, number: data.callee.number },
      queue_id: data.queue_id,
      started_at: data.started_at,
      answered_at: data.answered_at,
      contact,
    },
  };
}

/** A `notify` node fired while the call is in its flow: nobody rings yet, so the callee is the number called. */
export function flowNotificationEvent(
  call: CallInfo,
  trigger: "ringing" | "answered",
  at: { legId: string; nodeId: string; contact: ContactCard | null; now: string },
): WebhookEvent {
  return {
    type: "call.incoming",
    timestamp: at.now,
    data: {
      call_id: call.id,
      conversation_id: call.conversationId,
      leg_id: at.legId,
      trigger,
      direction: call.direction,
      caller: { number: call.caller.number, name: call.caller.name },
      called_number: call.calledNumber,
      callee: { extension: null, user_id: null, number: call.calledNumber },
      queue_id: null,
      started_at: call.startedAt,
      answered_at: null,
      contact: at.contact,
      flow_id: call.flowId,
      node_id: at.nodeId,
    },
  };
}

export function lookupEvent(call: CallInfo, nodeId: string, variables: Record<string, unknown>, at: string): WebhookEvent {
  return {
    type: "call.lookup",
    timestamp: at,
    data: {
      call_id: call.id,
      conversation_id: call.conversationId,
      caller: { number: call.caller.number, number_raw: call.caller.numberRaw, name: call.caller.name },
      called_number: call.calledNumber,
      flow_id: call.flowId,
      node_id: nodeId,
      variables,
    },
  };
}

/** Custom hooks: the PBX event's own data under its own type. */
export function hookEvent(event: PbxEvent, at: string): WebhookEvent | null {
  switch (event.type) {
    case "agent.state_changed":
      return { type: event.type, timestamp: at, data: event.change satisfies AgentStateChange };
    case "call.answered":
    case "call.transferred":
    case "voicemail.left":
      return { type: event.type, timestamp: at, data: event.data };
    default:
      return null;
  }
}

/** Conversation of an event, for the outbox index (look-ups and CDRs of one call together). */
export function conversationOf(event: WebhookEvent): string | null {
  const data = event.data as { conversation_id?: unknown } | null;
  return typeof data?.conversation_id === "string" ? data.conversation_id : null;
}
