/**
 * A CallChannel double for pure runtime tests: the caller's keys, the dial,
 * queue and voicemail outcomes are scripted; every operation is recorded.
 * With a ManualClock, each operation also takes simulated time.
 */
import type {
  CallChannel,
  CollectDigitsRequest,
  CollectDigitsResult,
  DialRequest,
  DialResult,
  DialStatus,
  Hangup,
  QueueRequest,
  QueueResult,
  ResolvedPrompt,
  VoicemailRequest,
  VoicemailResult,
} from "@/flows/runtime/ports";
import type { ManualClock } from "@/flows/runtime/testing/manualClock";

type QueueStatus = "answered" | "timeout" | "no_agents";

export interface CallerScript {
  /** One entry per collectDigits request: the keys pressed, or null for silence. When used up, the caller stays silent. */
  digits?: (string | null)[];
  /** Dial outcomes in order (the last repeats), or decided per request. Default: no_answer. */
  dial?: DialStatus[] | ((request: DialRequest) => DialStatus);
  /** Queue outcomes in order (the last repeats). Default: timeout. */
  queue?: QueueStatus[];
  voicemail?: "recorded" | "empty";
  /** The caller hangs up during this channel operation (1-based count of play/collect/dial/queue/voicemail). */
  hangUpAtOperation?: number;
  /** Advances on every operation by a plausible duration (prompt length, timeouts, ring time). */
  clock?: ManualClock;
}

export type ChannelOperation =
  | { op: "play"; prompt: ResolvedPrompt }
  | { op: "collectDigits"; request: CollectDigitsRequest }
  | { op: "dial"; request: DialRequest }
  | { op: "enqueue"; request: QueueRequest }
  | { op: "voicemail"; request: VoicemailRequest };

const HANGUP: Hangup = { status: "hangup" };
const PROMPT_MS = 2_000;
const ANSWER_MS = 4_000;

export class ScriptedCallChannel implements CallChannel {
  readonly callId: string;
  readonly conversationId: string;
  readonly operations: ChannelOperation[] = [];
  /** Causes passed to hangup(), in order (the interface says hangup is idempotent; tests check it was called once). */
  readonly hangups: string[] = [];
  private callerGone = false;
  private digitsUsed = 0;
  private dialsUsed = 0;
  private queuesUsed = 0;

  constructor(
    private readonly script: CallerScript = {},
    ids: { callId?: string; conversationId?: string } = {},
  ) {
    this.callId = ids.callId ?? "call-1";
    this.conversationId = ids.conversationId ?? "conv-1";
  }

  get callerHungUp(): boolean {
    return this.callerGone;
  }

  async play(prompt: ResolvedPrompt): Promise<{ status: "completed" } | Hangup> {
    if (this.begin({ op: "play", prompt })) return HANGUP;
    this.elapse(PROMPT_MS);
    return { status: "completed" };
  }

  async collectDigits(request: CollectDigitsRequest): Promise<CollectDigitsResult> {
    if (this.begin({ op: "collectDigits", request })) return HANGUP;
    const keys = this.script.digits?.[this.digitsUsed++] ?? null;
    if (keys === null) {
      this.elapse((request.prompt ? PROMPT_MS : 0) + request.timeoutMs);
      return { status: "timeout", digits: "" };
    }
    this.elapse(request.prompt ? PROMPT_MS : 500);
    const digits = keys.slice(0, request.maxLength);
    const ended = digits.length === request.maxLength || (request.terminator !== "" && keys.includes(request.terminator));
    return { status: ended ? "ok" : "timeout", digits: digits.split(request.terminator || "\u0000")[0] };
  }

  async dial(request: DialRequest): Promise<DialResult> {
    if (this.begin({ op: "dial", request })) return HANGUP;
    const script = this.script.dial;
    const status = typeof script === "function" ? script(request) : (pick(script, this.dialsUsed++) ?? "no_answer");
    this.elapse(status === "no_answer" ? request.ringTimeoutMs : ANSWER_MS);
    if (status !== "answered") return { status };
    const target = request.targets[0];
    return { status, answeredBy: target.type === "extension" ? { extension: target.number, userId: null } : { number: target.number } };
  }

  async enqueue(request: QueueRequest): Promise<QueueResult> {
    if (this.begin({ op: "enqueue", request })) return HANGUP;
    const status = pick(this.script.queue, this.queuesUsed++) ?? "timeout";
    this.elapse(status === "timeout" ? request.maxWaitMs : ANSWER_MS);
    return status === "answered" ? { status, agentId: "agent-1", answeredBy: { extension: "201", userId: null } } : { status };
  }

  async voicemail(request: VoicemailRequest): Promise<VoicemailResult> {
    if (this.begin({ op: "voicemail", request })) return HANGUP;
    const status = this.script.voicemail ?? "recorded";
    this.elapse(status === "recorded" ? Math.min(request.maxLengthMs, 20_000) : 3_000);
    return status === "recorded" ? { status, recordingCode: "rec-1" } : { status };
  }

  hangup(cause: string): void {
    this.hangups.push(cause);
  }

  /** Records the operation; true when the caller is (or now goes) away. */
  private begin(operation: ChannelOperation): boolean {
    this.operations.push(operation);
    if (this.operations.length === this.script.hangUpAtOperation) this.callerGone = true;
    return this.callerGone || this.hangups.length > 0;
  }

  private elapse(ms: number): void {
    this.script.clock?.advance(ms);
  }
}

function pick<T>(items: readonly T[] | undefined, index: number): T | undefined {
  if (!items || items.length === 0) return undefined;
  return items[Math.min(index, items.length - 1)];
}
