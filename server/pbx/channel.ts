import type {
  CallChannel,
  CollectDigitsRequest,
  CollectDigitsResult,
  DialRequest,
  DialResult,
  Hangup,
  QueueRequest,
  QueueResult,
  ResolvedPrompt,
  VoicemailRequest,
  VoicemailResult,
} from "@/flows/runtime/ports";
import type { Call } from "./call";
import type { CallControl } from "./callControl";
import { dial } from "./dialer";
import { collectDigits, HANGUP, playPrompt } from "./media";
import type { QueueDispatcher } from "./queues";
import { recordVoicemail } from "./voicemail";

/** The interpreter's view of one call (flows/runtime/ports.ts), implemented on call control. */
export class PbxChannel implements CallChannel {
  constructor(
    private readonly control: CallControl,
    private readonly queues: QueueDispatcher,
    private readonly call: Call,
  ) {}

  get callId(): string {
    return this.call.callId;
  }

  get conversationId(): string {
    return this.call.conversationId;
  }

  play(prompt: ResolvedPrompt): Promise<{ status: "completed" } | Hangup> {
    return this.ended() ?? playPrompt(this.control, this.call, prompt);
  }

  collectDigits(request: CollectDigitsRequest): Promise<CollectDigitsResult> {
    return this.ended() ?? collectDigits(this.control, this.call, request);
  }

  dial(request: DialRequest): Promise<DialResult> {
    return this.ended() ?? dial(this.control, this.call, request);
  }

  enqueue(request: QueueRequest): Promise<QueueResult> {
    return this.ended() ?? this.queues.enqueue(this.call, request);
  }

  voicemail(request: VoicemailRequest): Promise<VoicemailResult> {
    return this.ended() ?? recordVoicemail(this.control, this.call, request);
  }

  hangup(cause: string): void {
    this.control.endCall(this.call, cause);
  }

  /** Operations on an ended call resolve with hangup; overlapping ones are a programming error. */
  private ended(): Promise<Hangup> | null {
    if (this.call.ended) return Promise.resolve(HANGUP);
    if (this.call.op) throw new Error(`call ${this.call.callId} already has an operation running`);
    return null;
  }
}
