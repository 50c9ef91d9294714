import type { CallInfo, Clock } from "@/flows/runtime/ports";
import { outboxId } from "./ids";
import type { Db } from "../db/client";
import type { PgDb } from "../db/postgres";
import { recordWriterFor, type RecordWriter } from "../runtime/recordWriter";
import type { Cdr } from "../pbx/cdr";
import type { PbxEvent } from "../pbx/events";
import type { OutboundApi, OutboundApiCatalog } from "./catalog";
import type { PayloadCache } from "./payloadCache";
import { FrozenEvent, callEndedEvent, conversationOf, flowNotificationEvent, hookEvent, incomingCallEvent, type ContactCard, type WebhookEvent } from "./events";

/**
 * The transactional outbox. Every write here is synchronous and meant to join
 * the unit of the event that causes it (the final CDR, a partial CDR, an agent
 * state row…) through the runtime's record writer (server/runtime/recordWriter.ts):
 * a crash leaves both or neither. The message keeps the frozen payload; each
 * target endpoint gets a pending delivery that the worker picks up.
 *
 * The `send_call_data` marks are read while a call's records are written, so
 * they live in memory with durable write-through: loaded at start (before
 * interrupted calls are closed), changed in memory and written in the same
 * unit as the event that changes them.
 */
export class Outbox {
  /** Called after something was queued (the worker wakes up; it runs after the transaction commits). */
  onEnqueued: () => void = () => {};
  /** The call's current CDR leg (set by attachToRuntime). */
  currentLegOf: (callId: string) => string | null = () => null;
  /**
   * Contacts found by look-ups, so the notifications and the CDRs of the same
   * call carry the customer card. Only while the call lasts: each message
   * freezes the contact into its payload.
   */
  private readonly contacts = new Map<string, ContactCard>();
  /** conversation id → the end-of-call APIs its `send_call_data` nodes chose. */
  private readonly callDataMarks = new Map<string, Set<string>>();
  private readonly writer: RecordWriter;

  constructor(
    db: Db | PgDb,
    private readonly catalog: OutboundApiCatalog,
    private readonly clock: Clock,
    private readonly payloads?: PayloadCache,
  ) {
    this.writer = recordWriterFor(db);
  }

  /** Start-up: the marks of conversations still open when the process stopped (before their calls are closed). */
  async loadCallDataMarks(): Promise<void> {
    for (const mark of await this.writer.read<{ conversationId: string; outboundApiId: string }>("callDataMarks")) {
      this.markedApis(mark.conversationId).add(mark.outboundApiId);
    }
  }

  /** Writes the message and one pending delivery per target; returns the message id (the `webhook-id`), or null without targets. */
  enqueue(event: WebhookEvent, targets: OutboundApi[]): string | null {
    if (targets.length === 0) return null;
    const now = this.clock.now();
    const messageId = outboxId("message");
    const payload = JSON.stringify(event);
    this.writer.write("message", [messageId, event.type, conversationOf(event), payload, now]);
    this.payloads?.set(messageId, new FrozenEvent(event.type, payload));
    for (const api of targets) {
      const expiresAt = api.config.kind === "incoming_notification" ? now + api.config.ttl_s * 1000 : null;
      this.writer.write("delivery", [outboxId("delivery"), messageId, api.id, now, expiresAt, now, now]);
    }
    this.writer.afterCommit(() => this.onEnqueued());
    return messageId;
  }

  /** `store.onConversationEnded` hook: the final CDR to every-call end-of-call APIs and to those a `send_call_data` node chose. */
  readonly conversationEnded = (cdr: Cdr): void => {
    const marked = this.callDataMarks.get(cdr.conversation_id) ?? new Set<string>();
    if (marked.size > 0) {
      this.callDataMarks.delete(cdr.conversation_id);
      this.writer.write("clearCallData", [cdr.conversation_id]);
    }
    const contact = this.contacts.get(cdr.conversation_id) ?? null;
    this.contacts.delete(cdr.conversation_id);
    this.enqueue(callEndedEvent(cdr, contact, this.isoNow()), this.endOfCallTargets(cdr, marked));
  };

  /** `store.onEvent` hook: partial CDRs, incoming-call notifications and custom hooks, in the event's own transaction. */
  readonly eventRecorded = (event: PbxEvent): void => {
    switch (event.type) {
      case "leg.closed": {
        const marked = this.callDataMarks.get(event.cdr.conversation_id) ?? new Set<string>();
        const targets = this.endOfCallTargets(event.cdr, marked).filter((api) => api.config.kind === "end_of_call" && api.config.send_partials);
        this.enqueue(callEndedEvent(event.cdr, this.contacts.get(event.cdr.conversation_id) ?? null, this.isoNow()), targets);
        break;
      }
      case "call.ringing":
      case "call.answered": {
        const trigger = event.type === "call.ringing" ? "ringing" : "answered";
        if (event.data.direction === "inbound") {
          const targets = this.catalog
            .active("incoming_notification")
            .filter((api) => api.config.apply_to === "all_calls" && api.config.kind === "incoming_notification" && api.config.trigger === trigger);
          this.enqueue(incomingCallEvent(event.data, trigger, this.contacts.get(event.data.conversation_id) ?? null, this.isoNow()), targets);
        }
        break;
      }
      default:
        break;
    }
    const hook = hookEvent(event, this.isoNow());
    if (hook) {
      this.enqueue(
        hook,
        this.catalog.active("event_hook").filter((api) => api.config.kind === "event_hook" && (api.config.events as string[]).includes(hook.type)),
      );
    }
  };

  /** A `notify` node: one notification to that API now (its `trigger` names the moment it was configured for). */
  notifyFromNode(api: OutboundApi, call: CallInfo, nodeId: string): string | null {
    const trigger = api.config.kind === "incoming_notification" ? api.config.trigger : "ringing";
    const context = { legId: this.currentLegOf(call.id) ?? "", nodeId, contact: this.contacts.get(call.conversationId) ?? null, now: this.isoNow() };
    return this.enqueue(flowNotificationEvent(call, trigger, context), [api]);
  }

  /** A `send_call_data` node: remember (durably) that this conversation's CDRs also go to that API. */
  markCallData(api: OutboundApi, conversationId: string, nodeId: string): void {
    this.markedApis(conversationId).add(api.id);
    this.writer.write("markCallData", [conversationId, api.id, nodeId, this.clock.now()]);
  }

  private markedApis(conversationId: string): Set<string> {
    let marked = this.callDataMarks.get(conversationId);
    if (!marked) {
      marked = new Set();
      this.callDataMarks.set(conversationId, marked);
    }
    return marked;
  }

  rememberContact(conversationId: string, contact: ContactCard): void {
    this.contacts.set(conversationId, contact);
  }

  private endOfCallTargets(cdr: Cdr, marked: Set<string>): OutboundApi[] {
    const external = cdr.direction !== "internal";
    return this.catalog.active("end_of_call").filter((api) => marked.has(api.id) || (api.config.apply_to === "all_calls" && external));
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
