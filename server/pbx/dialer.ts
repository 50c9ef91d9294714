import type { DialRequest, DialResult, DialStatus, DialTarget, TimerHandle } from "@/flows/runtime/ports";
import { startRinging, type Call, type Operation, type Party, type PartyIdentity, type PartyListener, type RequestedTarget } from "./call";
import type { CallControl } from "./callControl";
import { Connection } from "./connection";
import type { Disposition } from "./cdr";
import type { ExtensionForwarding, ForwardingRule } from "./directory";
import { HANGUP } from "./media";

export type AttemptOutcome = { status: "answered"; party: Party } | { status: Exclude<DialStatus, "answered"> };
type Unanswered = Exclude<DialStatus, "answered">;

/** Forwarding chains longer than this stop, whatever the rules say. */
const MAX_FORWARD_HOPS = 10;

/**
 * Rings one or more targets for a call until one answers: all at once,
 * one after another, or (a single extension with `followForwarding`)
 * through its forwarding rules, loop-safe, each forward closing a leg.
 * It reports the outcome and never bridges; the caller decides what an
 * answer means (a flow's dial, a transfer's target).
 */
export class DialAttempt implements PartyListener {
  private readonly ringing = new Set<Party>();
  private timer: TimerHandle | null = null;
  private pending: DialTarget[] = [];
  private readonly unanswered: Unanswered[] = [];
  private finished = false;
  private readonly followsForwarding: boolean;
  private readonly visited = new Set<string>();
  private hops = 0;
  /** The rules of the extension ringing now, in forwarding mode. */
  private forwarding: { extension: string; rules: ExtensionForwarding } | null = null;

  constructor(
    private readonly control: CallControl,
    private readonly call: Call,
    private readonly request: DialRequest,
    private readonly onDone: (outcome: AttemptOutcome) => void,
    /** The caller already opened the leg for this attempt (transfers). */
    private readonly legPrepared = false,
  ) {
    this.followsForwarding = request.followForwarding && request.targets.length === 1 && request.targets[0].type === "extension";
  }

  start(): void {
    const { targets } = this.request;
    if (!this.legPrepared) this.control.beginAttempt(this.call, requestedOf(targets));
    startRinging(this.call.leg, this.control.now());
    if (this.followsForwarding) return this.hop(targets[0]);
    if (this.request.strategy === "sequential") {
      this.pending = [...targets];
      return this.ringNext();
    }
    for (const target of targets) this.ringTarget(target);
    if (this.ringing.size === 0) return this.conclude();
    this.armTimer(this.request.ringTimeoutMs);
  }

  /** Stops ringing everyone (the caller hung up); reports nothing. */
  cancel(): void {
    this.finished = true;
    this.clearTimer();
    for (const party of this.ringing) this.control.drop(party, "originator_cancel");
    this.ringing.clear();
  }

  onRinging(party: Party): void {
    if (!this.finished) this.control.partyRinging(this.call, party.who);
  }

  onAnswered(party: Party): void {
    if (this.finished || !this.ringing.delete(party)) return this.control.drop(party, "answered_elsewhere");
    this.cancel();
    this.control.partyAnswered(this.call, party.who);
    this.onDone({ status: "answered", party });
  }

  onRefused(party: Party, status: "busy" | "failed"): void {
    if (this.ringing.delete(party) && !this.finished) this.notAnswered(status);
  }

  onHangup(party: Party): void {
    this.onRefused(party, "failed");
  }

  /** Hands the ringing call to another extension: the ringing leg closes as picked up, the picker's phone auto-answers. */
  pickUp(party: Party, picker: PartyIdentity): boolean {
    if (this.finished || !this.ringing.has(party)) return false;
    this.clearTimer();
    for (const ringing of this.ringing) this.control.drop(ringing, "picked_up");
    this.ringing.clear();
    this.pending = [];
    this.forwarding = null;
    const requested = this.call.leg.requested;
    this.control.rollLeg(this.call, "picked_up", "picked_up", "no_answer", { requested, attempted: true });
    startRinging(this.call.leg, this.control.now());
    this.ringing.add(this.control.ring(this.call, picker, this, { autoAnswer: true }));
    return true;
  }

  private notAnswered(status: Unanswered): void {
    if (this.followsForwarding) return this.afterHop(status);
    this.unanswered.push(status);
    if (this.request.strategy === "sequential") return this.ringNext();
    if (this.ringing.size === 0) this.conclude();
  }

  private ringTimedOut(): void {
    this.timer = null;
    for (const party of this.ringing) this.control.drop(party, "no_answer");
    this.ringing.clear();
    this.notAnswered("no_answer");
  }

  private ringNext(): void {
    this.clearTimer();
    while (this.pending.length > 0) {
      this.ringTarget(this.pending.shift()!);
      if (this.ringing.size > 0) return this.armTimer(this.request.ringTimeoutMs);
    }
    this.conclude();
  }

  /** Rings a target; an unknown or disabled extension counts as failed at once. */
  private ringTarget(target: DialTarget): void {
    const who = target.type === "extension" ? this.control.extensionIdentity(target.number) : this.control.externalIdentity(target.number);
    if (!who) {
      this.unanswered.push("failed");
      return;
    }
    this.ringing.add(this.control.ring(this.call, who, this));
  }

  private hop(target: DialTarget): void {
    this.forwarding = null;
    if (target.type === "external") {
      this.ringTarget(target);
      return this.armTimer(this.request.ringTimeoutMs);
    }
    const entry = this.control.directory.extension(target.number);
    if (!entry?.enabled) return this.finishWith("failed");
    this.visited.add(target.number);
    const rules = entry.forwarding;
    const unconditional = this.usable(rules.unconditional);
    if (unconditional) return this.forward(target.number, unconditional, "cancelled", "unconditional_forward");
    this.forwarding = { extension: target.number, rules };
    this.ringTarget(target);
    const noAnswer = this.usable(rules.no_answer);
    this.armTimer(noAnswer && rules.no_answer ? rules.no_answer.ring_timeout_s * 1000 : this.request.ringTimeoutMs);
  }

  /** Busy (and DND) follow the busy rule; no answer and an unreachable phone follow the no-answer rule. */
  private afterHop(status: Unanswered): void {
    const current = this.forwarding;
    const rule = current && this.usable(status === "busy" ? current.rules.busy : current.rules.no_answer);
    if (!current || !rule) return this.finishWith(status);
    this.forward(current.extension, rule, status, status === "busy" ? "user_busy" : status === "failed" ? "unreachable" : "no_answer");
  }

  private forward(fromExtension: string, rule: ForwardingRule, outcome: Disposition, cause: string): void {
    this.hops++;
    const destination = rule.destination;
    const requested = destination.type === "extension" ? { extension: destination.number } : { number: destination.number };
    this.control.rollLeg(this.call, "forwarded", cause, outcome, { requested, forwardedFrom: fromExtension, attempted: true });
    startRinging(this.call.leg, this.control.now());
    this.hop({ type: destination.type, number: destination.number });
  }

  /** A rule applies if enabled and it neither loops back to an extension already tried nor exceeds the hop limit. */
  private usable(rule: ForwardingRule | null): ForwardingRule | null {
    if (!rule?.enabled || this.hops >= MAX_FORWARD_HOPS) return null;
    const { destination } = rule;
    return destination.type === "extension" && this.visited.has(destination.number) ? null : rule;
  }

  private finishWith(status: Unanswered): void {
    this.unanswered.push(status);
    this.conclude();
  }

  private conclude(): void {
    this.cancel();
    const status = summarize(this.unanswered);
    this.call.leg.outcome = status;
    this.onDone({ status });
  }

  private armTimer(ms: number): void {
    this.clearTimer();
    this.timer = this.control.clock.setTimeout(() => this.ringTimedOut(), ms);
  }

  private clearTimer(): void {
    if (this.timer) this.control.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A group's result: no answer if anyone rang out, else busy if anyone was busy, else failed. */
function summarize(statuses: Unanswered[]): Unanswered {
  if (statuses.includes("no_answer")) return "no_answer";
  return statuses.includes("busy") ? "busy" : "failed";
}

export function requestedOf(targets: DialTarget[]): RequestedTarget {
  if (targets.length === 1) {
    const [target] = targets;
    return target.type === "extension" ? { extension: target.number } : { number: target.number };
  }
  return { extensions: targets.map((target) => target.number) };
}

/** The flow's dial: ring, bridge on answer, resolve when the bridged conversation ends with the caller still there. */
export function dial(control: CallControl, call: Call, request: DialRequest): Promise<DialResult> {
  return new Promise((resolve) => {
    let connection: Connection | null = null;
    const op: Operation = {
      abort: () => {
        attempt.cancel();
        connection?.abort();
        resolve(HANGUP);
      },
    };
    const attempt = new DialAttempt(control, call, request, (outcome) => {
      if (outcome.status !== "answered") {
        if (control.finishOp(call, op)) resolve({ status: outcome.status });
        return;
      }
      const who = outcome.party.who;
      const answeredBy = { extension: who.extension ?? undefined, number: who.number, userId: who.userId };
      connection = new Connection(control, call, outcome.party, () => {
        if (control.finishOp(call, op)) resolve({ status: "answered", answeredBy });
      });
      connection.start();
    });
    control.beginOp(call, op);
    attempt.start();
  });
}
