import type { CollectDigitsRequest, CollectDigitsResult, Hangup, ResolvedPrompt, TimerHandle } from "@/flows/runtime/ports";
import type { Call, Operation } from "./call";
import type { CallControl } from "./callControl";

export const HANGUP: Hangup = { status: "hangup" };
const COMPLETED = { status: "completed" } as const;

/** Plays a prompt to the caller (answering the call first if needed). */
export function playPrompt(control: CallControl, call: Call, prompt: ResolvedPrompt): Promise<typeof COMPLETED | Hangup> {
  control.answerAnchor(call);
  return new Promise((resolve) => {
    const op: Operation = {
      abort: () => {
        control.engine.stopPlayback(call.anchor.legId);
        resolve(HANGUP);
      },
    };
    control.beginOp(call, op);
    void control.engine.play(call.anchor.legId, prompt).then(() => {
      if (control.finishOp(call, op)) resolve(COMPLETED);
    });
  });
}

/** Plays `prompt` over and over (hold music) until `keepGoing` says stop or playback is stopped. */
export function playOnLoop(control: CallControl, legId: string, prompt: ResolvedPrompt, keepGoing: () => boolean): void {
  void control.engine.play(legId, prompt).then((outcome) => {
    if (outcome === "completed" && keepGoing()) playOnLoop(control, legId, prompt, keepGoing);
  });
}

export function collectDigits(control: CallControl, call: Call, request: CollectDigitsRequest): Promise<CollectDigitsResult> {
  control.answerAnchor(call);
  return new Promise((resolve) => new DigitCollector(control, call, request, resolve).start());
}

/**
 * Collects DTMF: digits typed ahead count first, a digit interrupts the prompt
 * (barge-in), the timeout runs after the prompt and restarts per digit.
 */
class DigitCollector implements Operation {
  private digits = "";
  private timer: TimerHandle | null = null;
  private prompting = false;
  private done = false;

  constructor(
    private readonly control: CallControl,
    private readonly call: Call,
    private readonly request: CollectDigitsRequest,
    private readonly resolve: (result: CollectDigitsResult) => void,
  ) {}

  start(): void {
    this.control.beginOp(this.call, this);
    const typedAhead = this.call.digits;
    this.call.digits = "";
    for (const digit of typedAhead) {
      this.onDigit(digit);
      if (this.done) return;
    }
    const prompt = this.request.prompt;
    if (!prompt || this.digits !== "") return this.armTimer();
    this.prompting = true;
    void this.control.engine.play(this.call.anchor.legId, prompt).then(() => {
      if (!this.prompting || this.done) return;
      this.prompting = false;
      this.armTimer();
    });
  }

  onDigit(digit: string): void {
    if (this.done) return;
    this.stopPrompt();
    if (this.request.terminator !== "" && digit === this.request.terminator) {
      return this.finish(this.digits.length >= this.request.minLength ? "ok" : "timeout");
    }
    this.digits += digit;
    if (this.digits.length >= this.request.maxLength) return this.finish("ok");
    this.armTimer();
  }

  abort(): void {
    this.done = true;
    this.clearTimer();
    this.stopPrompt();
    this.resolve(HANGUP);
  }

  private finish(status: "ok" | "timeout"): void {
    this.done = true;
    this.clearTimer();
    this.stopPrompt();
    if (this.control.finishOp(this.call, this)) this.resolve({ status, digits: this.digits });
  }

  private armTimer(): void {
    this.clearTimer();
    this.timer = this.control.clock.setTimeout(() => {
      this.timer = null;
      const enough = this.digits.length > 0 && this.digits.length >= this.request.minLength;
      this.finish(enough ? "ok" : "timeout");
    }, this.request.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer) this.control.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private stopPrompt(): void {
    if (!this.prompting) return;
    this.prompting = false;
    this.control.engine.stopPlayback(this.call.anchor.legId);
  }
}
