/**
 * What the flow runtime needs from the outside world. `flows/` owns these
 * interfaces; `server/` implements them (simulated telephony, HTTP integration,
 * database-backed flow loader) and tests implement them with in-memory doubles.
 * Nothing here may import from app/, components/, server/ or React.
 */

/** Injectable time source: the runtime, simulator, retries and schedules never call Date.now() or setTimeout directly. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export type TimerHandle = { readonly id: number };

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A prompt after template rendering: what the caller hears. */
export interface ResolvedPrompt {
  text: string;
  language: string;
  audioId?: string;
}

export type DialTarget =
  | { type: "extension"; number: string }
  | { type: "external"; number: string };

export type DialStatus = "answered" | "no_answer" | "busy" | "failed";

/** Every blocking call operation resolves with `hangup` when the caller hangs up meanwhile; the interpreter then stops. */
export type Hangup = { status: "hangup" };

export interface DialRequest {
  targets: DialTarget[];
  strategy: "simultaneous" | "sequential";
  /** Ring time per target (sequential) or for the whole attempt (simultaneous). */
  ringTimeoutMs: number;
  /** Honour the extension's own forwarding rules (dial_extension does; ring groups do not). */
  followForwarding: boolean;
}
export type DialResult =
  | {
      status: DialStatus;
      /** Set when answered; the flow continues on `answered` after the bridged conversation ends while the caller is still there. */
      answeredBy?: { extension?: string; number?: string; userId?: string | null };
    }
  | Hangup;

export interface CollectDigitsRequest {
  prompt?: ResolvedPrompt;
  minLength: number;
  maxLength: number;
  /** e.g. "#"; empty string for none. */
  terminator: string;
  /** Time allowed for the first digit after the prompt, and between digits. */
  timeoutMs: number;
}
export type CollectDigitsResult = { status: "ok" | "timeout"; digits: string } | Hangup;

export interface QueueRequest {
  queueId: string;
  maxWaitMs: number;
  holdPrompt?: ResolvedPrompt;
}
export type QueueResult =
  | { status: "answered" | "timeout" | "no_agents"; agentId?: string; answeredBy?: { extension: string; userId?: string | null } }
  | Hangup;

export interface VoicemailRequest {
  mailboxExtension: string;
  greeting?: ResolvedPrompt;
  maxLengthMs: number;
}
export type VoicemailResult = { status: "recorded" | "empty"; recordingCode?: string } | Hangup;

/**
 * One call as the interpreter sees it. Implemented by the server's call
 * controller on top of the telephony engine (simulated or a real SIP edge).
 */
export interface CallChannel {
  readonly callId: string;
  readonly conversationId: string;
  /** Resolves when playback finished, or with hangup. */
  play(prompt: ResolvedPrompt): Promise<{ status: "completed" } | Hangup>;
  collectDigits(request: CollectDigitsRequest): Promise<CollectDigitsResult>;
  dial(request: DialRequest): Promise<DialResult>;
  enqueue(request: QueueRequest): Promise<QueueResult>;
  voicemail(request: VoicemailRequest): Promise<VoicemailResult>;
  /** Ends the call from the flow's side. Idempotent. */
  hangup(cause: string): void;
}

/** Facts about the call that templates and CRM requests can read (`{{ call.caller.number }}`). */
export interface CallInfo {
  id: string;
  conversationId: string;
  direction: "inbound" | "outbound" | "internal";
  caller: { number: string; numberRaw: string; name: string | null };
  calledNumber: string;
  startedAt: string; // ISO 8601
  flowId: string | null;
}

export type LookupResult =
  | {
      status: "found";
      extension?: string;
      contact?: { id?: string; name?: string; company?: string; url?: string };
      variables?: Record<string, unknown>;
    }
  /** `contact`: the CRM knows the caller but names no one to route to (e.g. an owner missing from the user map). */
  | { status: "not_found"; contact?: { id?: string; name?: string; company?: string; url?: string }; variables?: Record<string, unknown> }
  | { status: "error"; error: string };

/**
 * The CRM side, called by the data_lookup, notify and send_call_data nodes.
 * The in-memory double lives in flows/runtime/testing; the real HTTP
 * implementation lives in server/.
 */
export interface IntegrationPort {
  lookup(request: { outboundApiId: string; call: CallInfo; nodeId: string; variables: Record<string, unknown> }): Promise<LookupResult>;
  /** Queues an incoming-call notification; never blocks the call on the CRM. */
  notify(request: { outboundApiId: string; call: CallInfo; nodeId: string }): Promise<void>;
  /** Marks this call's end-of-call data to go to that outbound API. */
  sendCallData(request: { outboundApiId: string; call: CallInfo; nodeId: string }): Promise<void>;
}

/** Loads other flows' published documents (for goto_flow). */
export interface FlowLoader {
  loadPublished(flowId: string): Promise<unknown | null>;
}

/** Existence checks used by validation; the caller decides where the truth lives. */
export interface ReferenceLookup {
  extensionExists(extension: string): boolean;
  queueExists(queueId: string): boolean;
  outboundApiExists(outboundApiId: string, kind?: "data_lookup" | "incoming_notification" | "end_of_call"): boolean;
  flowExists(flowId: string): boolean;
  /** An uploaded audio prompt (`audio_id`); unchecked when the caller cannot tell. */
  audioPromptExists?(audioId: string): boolean;
  /** For goto_flow cycle detection across flows: the goto targets of another flow, if known. */
  gotoTargetsOf?(flowId: string): string[];
}
