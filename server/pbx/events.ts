import type { CallDirection } from "./call";
import type { Cdr, CdrParty, CdrRecording, OpenCallSnapshot } from "./cdr";

/** A party's ringing or answer, shaped like the `call.incoming` webhook's data (minus `trigger` and `contact`). */
export interface CallPartyEventData {
  call_id: string;
  conversation_id: string;
  /** The CDR leg this happens in. */
  leg_id: string;
  direction: CallDirection;
  caller: { number: string; name: string | null };
  called_number: string;
  callee: CdrParty;
  queue_id: string | null;
  started_at: string;
  answered_at: string | null;
}

/** One entry of an agent's append-only state history (feeds time-in-state reports). */
export interface AgentStateChange {
  agent_id: string;
  status: AgentStatus;
  pause_reason: string | null;
  at: string;
}

export type AgentStatus = "logged_out" | "available" | "paused" | "on_call" | "wrap_up";

/**
 * What call control tells the integration layer. Delivered synchronously, in
 * order: `conversation.ended` arrives at the instant the call ends, so its
 * handler can write the CDR and its outbox message in one transaction.
 */
export type PbxEvent =
  | { type: "call.started"; call: OpenCallSnapshot }
  | { type: "call.ringing"; data: CallPartyEventData }
  | { type: "call.answered"; data: CallPartyEventData }
  | {
      type: "call.transferred";
      data: { call_id: string; conversation_id: string; mode: "blind" | "attended"; transferred_by: CdrParty; to: string; at: string };
    }
  | {
      type: "voicemail.left";
      data: {
        call_id: string;
        conversation_id: string;
        mailbox_extension: string;
        caller: { number: string; name: string | null };
        recording: CdrRecording;
        at: string;
      };
    }
  /** A leg closed by a transfer, pickup, forward, queue timeout or a new routing attempt: its partial CDR. */
  | { type: "leg.closed"; cdr: Cdr }
  | { type: "conversation.ended"; cdr: Cdr }
  | { type: "agent.state_changed"; change: AgentStateChange };

export type PbxEventListener = (event: PbxEvent) => void;
