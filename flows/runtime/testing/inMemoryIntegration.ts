/** An IntegrationPort double: scripted CRM look-up replies per outbound API, and a record of every request. */
import type { CallInfo, Clock, IntegrationPort, LookupResult } from "@/flows/runtime/ports";

/**
 * A scripted reply: a LookupResult right away; `"timeout"` — the CRM never
 * answers, so the integration gives up after `timeoutMs` on the clock; or a
 * reply that arrives after `delayMs`; or `"throw"` — the integration itself fails.
 */
export type ScriptedLookup = LookupResult | "timeout" | "throw" | { delayMs: number; reply: LookupResult };

type ReplySource = ScriptedLookup | ScriptedLookup[] | ((request: LookupRequest) => ScriptedLookup);

export interface LookupRequest {
  outboundApiId: string;
  call: CallInfo;
  nodeId: string;
  variables: Record<string, unknown>;
}

export interface InMemoryIntegrationOptions {
  /** Replies by outbound API id; an array is used in order, its last entry repeating. */
  lookups?: Record<string, ReplySource>;
  clock?: Clock;
  /** How long the (simulated) integration waits for the CRM; mirrors an outbound API's timeout_ms. */
  timeoutMs?: number;
  /** Notify / send_call_data reject, as if the outbox were unavailable. */
  failHandOffs?: boolean;
}

export class InMemoryIntegration implements IntegrationPort {
  readonly lookupRequests: LookupRequest[] = [];
  readonly notifications: { outboundApiId: string; callId: string; nodeId: string }[] = [];
  readonly callDataRequests: { outboundApiId: string; callId: string; nodeId: string }[] = [];
  private readonly used = new Map<string, number>();

  constructor(private readonly options: InMemoryIntegrationOptions = {}) {}

  lookup(request: LookupRequest): Promise<LookupResult> {
    this.lookupRequests.push(request);
    const reply = this.nextReply(request);
    if (reply === "throw") return Promise.reject(new Error("integration unavailable"));
    if (reply === "timeout") return this.after(this.options.timeoutMs ?? 3_000, { status: "error", error: "timeout" });
    if ("delayMs" in reply) return this.after(reply.delayMs, reply.reply);
    return Promise.resolve(reply);
  }

  async notify(request: { outboundApiId: string; call: CallInfo; nodeId: string }): Promise<void> {
    if (this.options.failHandOffs) throw new Error("outbox unavailable");
    this.notifications.push({ outboundApiId: request.outboundApiId, callId: request.call.id, nodeId: request.nodeId });
  }

  async sendCallData(request: { outboundApiId: string; call: CallInfo; nodeId: string }): Promise<void> {
    if (this.options.failHandOffs) throw new Error("outbox unavailable");
    this.callDataRequests.push({ outboundApiId: request.outboundApiId, callId: request.call.id, nodeId: request.nodeId });
  }

  private nextReply(request: LookupRequest): ScriptedLookup {
    const source = this.options.lookups?.[request.outboundApiId];
    if (source === undefined) return { status: "error", error: `no outbound API ${request.outboundApiId}` };
    if (typeof source === "function") return source(request);
    if (!Array.isArray(source)) return source;
    const index = this.used.get(request.outboundApiId) ?? 0;
    this.used.set(request.outboundApiId, index + 1);
    return source[Math.min(index, source.length - 1)];
  }

  private after(ms: number, reply: LookupResult): Promise<LookupResult> {
    const clock = this.options.clock;
    if (!clock) return new Promise(() => undefined); // no clock: the reply never comes
    return new Promise((resolve) => clock.setTimeout(() => resolve(reply), ms));
  }
}
