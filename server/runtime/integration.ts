import type { IntegrationPort } from "@/flows/runtime/ports";

/**
 * The integration port before any CRM is configured: look-ups take the
 * `error` branch at once (a call never waits on a CRM that does not exist),
 * notifications and end-of-call data have nowhere to go.
 */
export const unconfiguredIntegration: IntegrationPort = {
  lookup: async ({ outboundApiId }) => ({ status: "error", error: `outbound API ${outboundApiId} is not configured` }),
  notify: async () => {},
  sendCallData: async () => {},
};
