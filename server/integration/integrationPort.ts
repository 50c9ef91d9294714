import type { IntegrationPort, Logger, LookupResult } from "@/flows/runtime/ports";
import type { OutboundApiCatalog } from "./catalog";
import type { LookupClient } from "./lookup";
import type { Outbox } from "./outbox";

/**
 * The runtime's CRM side (flows/runtime/ports.ts) over HTTP: look-ups are
 * answered synchronously within their budget; `notify` and `send_call_data`
 * only write to the outbox, so a flow never waits on a CRM for them.
 */
export class HttpIntegration implements IntegrationPort {
  constructor(
    private readonly catalog: OutboundApiCatalog,
    private readonly outbox: Outbox,
    private readonly lookups: LookupClient,
    private readonly logger: Logger,
  ) {}

  async lookup(request: Parameters<IntegrationPort["lookup"]>[0]): Promise<LookupResult> {
    const api = this.catalog.get(request.outboundApiId);
    if (!api || api.kind !== "data_lookup") return { status: "error", error: `outbound API ${request.outboundApiId} is not a data look-up` };
    if (!api.enabled) return { status: "error", error: `outbound API ${api.name} is disabled` };
    const result = await this.lookups.lookup(api, request.call, request.nodeId, request.variables);
    // A contact found without anyone to route to (not_found with a contact) is still the caller: its call log belongs to it.
    if (result.status !== "error" && result.contact) this.outbox.rememberContact(request.call.conversationId, result.contact);
    return result;
  }

  async notify(request: Parameters<IntegrationPort["notify"]>[0]): Promise<void> {
    const api = this.catalog.get(request.outboundApiId);
    if (!api || api.kind !== "incoming_notification" || !api.enabled) {
      this.logger.warn({ outboundApiId: request.outboundApiId, callId: request.call.id }, "notify node points at a missing or disabled notification API");
      return;
    }
    this.outbox.notifyFromNode(api, request.call, request.nodeId);
  }

  async sendCallData(request: Parameters<IntegrationPort["sendCallData"]>[0]): Promise<void> {
    const api = this.catalog.get(request.outboundApiId);
    if (!api || api.kind !== "end_of_call" || !api.enabled) {
      this.logger.warn({ outboundApiId: request.outboundApiId, callId: request.call.id }, "send_call_data node points at a missing or disabled end-of-call API");
      return;
    }
    this.outbox.markCallData(api, request.call.conversationId, request.nodeId);
  }
}
