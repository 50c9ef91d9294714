import type { QueueRequest, QueueResult, TimerHandle } from "@/flows/runtime/ports";
import type { AgentBoard } from "./agents";
import { startRinging, type Call, type Operation, type Party, type PartyListener } from "./call";
import type { CallControl } from "./callControl";
import { Connection } from "./connection";
import type { DirectoryQueue } from "./directory";
import { HANGUP, playOnLoop } from "./media";

const DEFAULT_AGENT_RING_S = 15;

type Member = DirectoryQueue["members"][number];

/**
 * Call-centre queues: callers wait (hearing the hold prompt) in arrival
 * order and are offered to free agents, ring-all or longest-idle first.
 * Event-driven: offers are made when a caller arrives, an agent becomes
 * free, or an offer ends.
 */
export class QueueDispatcher {
  private readonly waiting = new Map<string, QueueWaiter[]>();

  constructor(
    private readonly control: CallControl,
    readonly agents: AgentBoard,
  ) {}

  enqueue(call: Call, request: QueueRequest): Promise<QueueResult> {
    const queue = this.control.directory.queue(request.queueId);
    if (!queue || !queue.members.some((member) => this.agents.isLoggedIn(member.agentId))) {
      return Promise.resolve({ status: "no_agents" });
    }
    return new Promise((resolve) => new QueueWaiter(this, this.control, call, queue, request, resolve).start());
  }

  add(waiter: QueueWaiter): void {
    const list = this.waiting.get(waiter.queue.id);
    if (list) list.push(waiter);
    else this.waiting.set(waiter.queue.id, [waiter]);
  }

  remove(waiter: QueueWaiter): void {
    const list = this.waiting.get(waiter.queue.id);
    if (!list) return;
    const index = list.indexOf(waiter);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.waiting.delete(waiter.queue.id);
  }

  /** An agent may take calls again: every queue with waiting callers gets a chance. */
  agentFree(): void {
    for (const queueId of [...this.waiting.keys()]) this.dispatch(queueId);
  }

  /** Offers waiting callers to free member agents, the longest-waiting caller first. */
  dispatch(queueId: string): void {
    const waiters = this.waiting.get(queueId);
    const queue = this.control.directory.queue(queueId);
    if (!waiters || !queue) return;
    const freeMembers = () => queue.members.filter((member) => this.agents.isFree(member.agentId));
    if (queue.strategy === "ring_all") {
      for (const member of freeMembers()) waiters[0].offer(member);
      return;
    }
    for (const waiter of [...waiters]) {
      if (waiter.offering) continue;
      const free = freeMembers();
      if (free.length === 0) return;
      const longestIdle = free.reduce((best, member) => (this.agents.idleSince(member.agentId) < this.agents.idleSince(best.agentId) ? member : best));
      waiter.offer(longestIdle);
    }
  }
}

/** One caller waiting in a queue: the flow's queue operation. */
class QueueWaiter implements Operation, PartyListener {
  private readonly offers = new Map<Party, { agentId: string; timer: TimerHandle }>();
  private maxWaitTimer: TimerHandle | null = null;
  private connection: Connection | null = null;
  private waiting = false;

  constructor(
    private readonly dispatcher: QueueDispatcher,
    private readonly control: CallControl,
    private readonly call: Call,
    readonly queue: DirectoryQueue,
    private readonly request: QueueRequest,
    private readonly resolve: (result: QueueResult) => void,
  ) {}

  get offering(): boolean {
    return this.offers.size > 0;
  }

  start(): void {
    const { control, call, request, queue } = this;
    control.answerAnchor(call);
    const leg = control.beginAttempt(call, {});
    leg.queueId = queue.id;
    startRinging(leg, control.now());
    control.beginOp(call, this);
    this.waiting = true;
    if (request.holdPrompt) playOnLoop(control, call.anchor.legId, request.holdPrompt, () => this.waiting);
    const maxWaitMs = request.maxWaitMs > 0 ? request.maxWaitMs : queue.maxWaitS * 1000;
    this.maxWaitTimer = control.clock.setTimeout(() => this.timedOut(), maxWaitMs);
    this.dispatcher.add(this);
    this.dispatcher.dispatch(queue.id);
  }

  offer(member: Member): void {
    const who = this.control.extensionIdentity(member.extension);
    if (!who) return this.dispatcher.agents.release(member.agentId, "refused");
    this.dispatcher.agents.reserve(member.agentId, this);
    const party = this.control.ring(this.call, who, this);
    const ringMs = (this.queue.agentRingTimeoutS ?? DEFAULT_AGENT_RING_S) * 1000;
    const timer = this.control.clock.setTimeout(() => this.offerEnded(party, "missed"), ringMs);
    this.offers.set(party, { agentId: member.agentId, timer });
  }

  onRinging(party: Party): void {
    if (this.offers.has(party)) this.control.partyRinging(this.call, party.who);
  }

  onAnswered(party: Party): void {
    const { control, call, queue, dispatcher } = this;
    const offer = this.offers.get(party);
    if (!offer || !this.waiting) return control.drop(party, "answered_elsewhere");
    this.offers.delete(party);
    this.clearTimer(offer.timer);
    this.stopWaiting();
    dispatcher.agents.callAnswered(offer.agentId);
    party.onEnd = () => dispatcher.agents.callEnded(offer.agentId, queue.wrapUpS);
    call.leg.agentId = offer.agentId;
    control.partyAnswered(call, party.who);
    const result: QueueResult = {
      status: "answered",
      agentId: offer.agentId,
      answeredBy: { extension: party.who.extension ?? party.who.number, userId: party.who.userId },
    };
    this.connection = new Connection(control, call, party, () => {
      if (control.finishOp(call, this)) this.resolve(result);
    });
    this.connection.start();
    dispatcher.dispatch(queue.id);
  }

  onRefused(party: Party): void {
    this.offerEnded(party, "refused");
  }

  onHangup(party: Party): void {
    this.offerEnded(party, "refused");
  }

  abort(): void {
    const wasWaiting = this.waiting;
    this.stopWaiting();
    this.connection?.abort();
    this.resolve(HANGUP);
    if (wasWaiting) this.dispatcher.dispatch(this.queue.id);
  }

  private offerEnded(party: Party, how: "missed" | "refused"): void {
    const offer = this.offers.get(party);
    if (!offer) return;
    this.offers.delete(party);
    this.clearTimer(offer.timer);
    this.control.drop(party, "no_answer");
    this.dispatcher.agents.release(offer.agentId, how);
    this.dispatcher.dispatch(this.queue.id);
  }

  private timedOut(): void {
    this.maxWaitTimer = null;
    const { control, call } = this;
    this.stopWaiting();
    control.engine.stopPlayback(call.anchor.legId);
    control.rollLeg(call, "queue_timeout", "queue_timeout", "no_answer", { requested: {} });
    if (control.finishOp(call, this)) this.resolve({ status: "timeout" });
    this.dispatcher.dispatch(this.queue.id);
  }

  /** Leaves the queue: withdraws offers (their agents are free again) and stops the wait timer. */
  private stopWaiting(): void {
    if (!this.waiting) return;
    this.waiting = false;
    if (this.maxWaitTimer) this.clearTimer(this.maxWaitTimer);
    this.maxWaitTimer = null;
    this.dispatcher.remove(this);
    for (const [party, offer] of this.offers) {
      this.clearTimer(offer.timer);
      this.control.drop(party, "originator_cancel");
      this.dispatcher.agents.release(offer.agentId, "cancelled");
    }
    this.offers.clear();
  }

  private clearTimer(timer: TimerHandle): void {
    this.control.clock.clearTimeout(timer);
  }
}
