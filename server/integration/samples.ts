import type { OutboundApiKind, HookEventType } from "@/lib/schemas/integration";
import type { Cdr } from "../pbx/cdr";
import type { WebhookEvent } from "./events";

/**
 * Realistic events for the Test button and for checking a body template
 * when it is saved: the shapes the CRM will really receive, with the demo
 * organisation's numbers.
 */
const at = "2026-11-24T09:00:00.000Z";
const ids = { call: "call_SAMPLE0000000000000000000", conversation: "conv_SAMPLE000000000000000000", leg: "leg_SAMPLE0000000000000000000" };

export function sampleCdr(recordingUrl = "/api/v1/recordings/SAMPLEcode00000000000000?token=sample"): Cdr {
  return {
    cdr_id: "cdr_SAMPLE00000000000000000000",
    conversation_id: ids.conversation,
    call_id: ids.call,
    leg_id: ids.leg,
    sequence: 1,
    is_final: true,
    leg_end_reason: "normal",
    direction: "inbound",
    caller: { number: "+36301112233", name: "László Varga" },
    called_number: "+3612345678",
    flow_id: null,
    requested: { extension: "102" },
    answered_by: { extension: "102", user_id: null, number: "102" },
    transferred_by: null,
    forwarded_from: null,
    queue_id: null,
    agent_id: null,
    started_at: at,
    answered_at: "2026-11-24T09:00:06.000Z",
    ended_at: "2026-11-24T09:02:13.000Z",
    duration_s: 133,
    talk_time_s: 127,
    ring_time_s: 6,
    disposition: "answered",
    hangup_cause: "normal_clearing",
    recordings: [{ code: "SAMPLEcode00000000000000", url: recordingUrl, duration_s: 127, format: "wav", size_bytes: 2_032_044, sha256: "0".repeat(64) }],
    legs: [],
  };
}

const hookSamples: Record<HookEventType, unknown> = {
  "agent.state_changed": { agent_id: "agt_SAMPLE000000000000000000", status: "paused", pause_reason: "lunch", at },
  "call.answered": {
    call_id: ids.call,
    conversation_id: ids.conversation,
    leg_id: ids.leg,
    direction: "inbound",
    caller: { number: "+36301112233", name: "László Varga" },
    called_number: "+3612345678",
    callee: { extension: "102", user_id: null, number: "102" },
    queue_id: null,
    started_at: at,
    answered_at: "2026-11-24T09:00:06.000Z",
  },
  "call.transferred": {
    call_id: ids.call,
    conversation_id: ids.conversation,
    mode: "blind",
    transferred_by: { extension: "102", user_id: null, number: "102" },
    to: "103",
    at,
  },
  "voicemail.left": {
    call_id: ids.call,
    conversation_id: ids.conversation,
    mailbox_extension: "102",
    caller: { number: "+36301112233", name: "László Varga" },
    recording: { code: "SAMPLEvoicemail000000000", url: "/api/v1/recordings/SAMPLEvoicemail000000000?token=sample", duration_s: 21, format: "wav", size_bytes: 336_044, sha256: "0".repeat(64) },
    at,
  },
};

export function sampleEvent(kind: OutboundApiKind, hookEvent?: HookEventType): WebhookEvent {
  switch (kind) {
    case "data_lookup":
      return {
        type: "call.lookup",
        timestamp: at,
        data: {
          call_id: ids.call,
          conversation_id: ids.conversation,
          caller: { number: "+36301112233", number_raw: "06301112233", name: null },
          called_number: "+3612345678",
          flow_id: "flw_SAMPLE000000000000000000",
          node_id: "lookup",
          variables: {},
        },
      };
    case "incoming_notification":
      return {
        type: "call.incoming",
        timestamp: at,
        data: {
          call_id: ids.call,
          conversation_id: ids.conversation,
          leg_id: ids.leg,
          trigger: "ringing",
          direction: "inbound",
          caller: { number: "+36301112233", name: "László Varga" },
          called_number: "+3612345678",
          callee: { extension: "102", user_id: null, number: "102" },
          queue_id: null,
          started_at: at,
          answered_at: null,
          contact: { id: "42", name: "László Varga", company: "Varga Kft.", url: "https://crm.example.com/contacts/42" },
        },
      };
    case "end_of_call":
      return {
        type: "call.ended",
        timestamp: "2026-11-24T09:02:13.000Z",
        data: { ...sampleCdr(), contact: { id: "42", name: "László Varga", company: "Varga Kft.", url: "https://crm.example.com/contacts/42" } },
      };
    case "event_hook": {
      const type = hookEvent ?? "call.answered";
      return { type, timestamp: at, data: hookSamples[type] };
    }
  }
}
