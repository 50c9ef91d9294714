import type { TimerHandle, VoicemailRequest, VoicemailResult } from "@/flows/runtime/ports";
import type { Call, Operation } from "./call";
import type { CallControl } from "./callControl";
import { cdrRecording, isoTime } from "./cdr";
import { HANGUP } from "./media";

/** Shorter messages are dropped as empty (a caller who hung up at the beep). */
const MIN_MESSAGE_MS = 1000;
const END_KEY = "#";

export function recordVoicemail(control: CallControl, call: Call, request: VoicemailRequest): Promise<VoicemailResult> {
  if (!control.directory.extension(request.mailboxExtension)) return Promise.resolve({ status: "empty" });
  return new Promise((resolve) => new VoicemailRecorder(control, call, request, resolve).start());
}

/**
 * Greeting, then recording until `#`, the maximum length, or the caller
 * hanging up (which still keeps the message). `#` during the greeting skips it.
 */
class VoicemailRecorder implements Operation {
  private phase: "greeting" | "recording" | "done" = "greeting";
  private recordingSince: number | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly control: CallControl,
    private readonly call: Call,
    private readonly request: VoicemailRequest,
    private readonly resolve: (result: VoicemailResult) => void,
  ) {}

  start(): void {
    const { control, call, request } = this;
    control.answerAnchor(call);
    control.beginAttempt(call, { extension: request.mailboxExtension });
    control.beginOp(call, this);
    if (!request.greeting) return this.startRecording();
    void control.engine.play(call.anchor.legId, request.greeting).then(() => {
      if (this.phase === "greeting") this.startRecording();
    });
  }

  onDigit(digit: string): void {
    if (digit !== END_KEY) return;
    if (this.phase === "greeting") this.control.engine.stopPlayback(this.call.anchor.legId);
    else if (this.phase === "recording") this.finish();
  }

  abort(): void {
    this.phase = "done";
    this.control.engine.stopPlayback(this.call.anchor.legId);
    this.save();
    this.resolve(HANGUP);
  }

  private startRecording(): void {
    const { control, call } = this;
    this.phase = "recording";
    this.recordingSince = control.now();
    control.engine.startRecording(call.anchor.legId);
    this.timer = control.clock.setTimeout(() => {
      this.timer = null;
      this.finish();
    }, this.request.maxLengthMs);
  }

  private finish(): void {
    if (!this.control.finishOp(this.call, this)) return;
    this.phase = "done";
    const code = this.save();
    this.resolve(code ? { status: "recorded", recordingCode: code } : { status: "empty" });
  }

  /** Stops the recorder; keeps and announces the message unless it is too short. Returns its code. */
  private save(): string | null {
    const { control, call } = this;
    if (this.timer) control.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.recordingSince === null) return null;
    const tooShort = control.now() - this.recordingSince < MIN_MESSAGE_MS;
    this.recordingSince = null;
    const file = control.engine.stopRecording(call.anchor.legId, { discard: tooShort });
    if (!file) return null;
    call.leg.recordings.push(file);
    call.leg.outcome = "voicemail";
    control.emit({
      type: "voicemail.left",
      data: {
        call_id: call.callId,
        conversation_id: call.conversationId,
        mailbox_extension: this.request.mailboxExtension,
        caller: { number: call.caller.number, name: call.caller.name },
        recording: cdrRecording(file, control.recordingUrl),
        at: isoTime(control.now()),
      },
    });
    return file.code;
  }
}
