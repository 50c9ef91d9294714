import type { CallInfo, Clock } from "@/flows/runtime/ports";
import { outboxId } from "./ids";
import type { Db } from "../db/client";
import type { Cdr } from "../pbx/cdr";
import type { PbxEvent } from "../pbx/events";
import type { OutboundApi, OutboundApiCatalog } from "./catalog";
import type { PayloadCache } from "./payloadCache";
import { FrozenEvent, callEndedEvent, conversationOf, flowNotificationEvent, hookEvent, incomingCallEvent, type ContactCard, type WebhookEvent } from "./events";

/**
 * The transactional outbox. Every write here is synchronous and meant to run
 * INSIDE the transaction of the event that causes it (the final CDR, a
 * partial CDR, an agent state row…): a crash leaves both or neither. The
 * message keeps the frozen payload; each target endpoint gets a pending
 * delivery that the worker picks up.
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
  private readonly insertMessage;
  private readonly insertDelivery;
  private readonly markedApis;
  private readonly insertMark;
  private readonly deleteMarks;

  constructor(
    db: Db,
    private readonly catalog: OutboundApiCatalog,
    private readonly clock: Clock,
    private readonly payloads?: PayloadCache,
  ) {
    const sqlite = db.$client;
    this.insertMessage = sqlite.prepare(`insert into integration_messages (id, event_type, conversation_id, payload, created_at) values (?, ?, ?, ?, ?)`);
    this.insertDelivery = sqlite.prepare(
      `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, expires_at, created_at, updated_at)
       values (?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    );
    this.markedApis = sqlite.prepare(`select outbound_api_id as id from call_data_requests where conversation_id = ?`).pluck();
    this.insertMark = sqlite.prepare(`insert or ignore into call_data_requests (conversation_id, outbound_api_id, node_id, created_at) values (?, ?, ?, ?)`);
    this.deleteMarks = sqlite.prepare(`delete from call_data_requests where conversation_id = ?`);
  }

  /** Writes the message and one pending delivery per target; returns the message id (the `webhook-id`), or null without targets. */
  enqueue(event: WebhookEvent, targets: OutboundApi[]): string | null {
    if (targets.length === 0) return null;
    const now = this.clock.now();
    const messageId = outboxId("message");
    const payload = JSON.stringify(event);
    this.insertMessage.run(messageId, event.type, conversationOf(event), payload, now);
    this.payloads?.set(messageId, new FrozenEvent(event.type, payload));
    for (const api of targets) {
      const expiresAt = api.config.kind === "incoming_notification" ? now + api.config.ttl_s * 1000 : null;
      this.insertDelivery.run(outboxId("delivery"), messageId, api.id, now, expiresAt, now, now);
    }
    this.onEnqueued();
    return messageId;
  }

  /** `store.onConversationEnded` hook: the final CDR to every-call end-of-call APIs and to those a `send_call_data` node chose. */
  readonly conversationEnded = (cdr: Cdr): void => {
    const marked = new Set(this.markedApis.all(cdr.conversation_id) as string[]);
    if (marked.size > 0) this.deleteMarks.run(cdr.conversation_id);
    const contact = this.contacts.get(cdr.conversation_id) ?? null;
    this.contacts.delete(cdr.conversation_id);
    this.enqueue(callEndedEvent(cdr, contact, this.isoNow()), this.endOfCallTargets(cdr, marked));
  };

  /** `store.onEvent` hook: partial CDRs, incoming-call notifications and custom hooks, in the event's own transaction. */
  readonly eventRecorded = (event: PbxEvent): void => {
    switch (event.type) {
      case "leg.closed": {
        const marked = new Set(this.markedApis.all(event.cdr.conversation_id) as string[]);
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
    this.insertMark.run(conversationId, api.id, nodeId, this.clock.now());
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
