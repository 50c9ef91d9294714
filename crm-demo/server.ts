/**
 * Starts the reference CRM receiver: `npx tsx crm-demo/server.ts` (or `npm run demo:crm`).
 * Settings (environment):
 *   CRM_PORT                    port, default 4000
 *   CRM_HOST                    listen address, default 127.0.0.1
 *   CRM_WEBHOOK_SECRETS         the outbound APIs' whsec_ signing secrets, comma-separated
 *   SWITCHBOARD_URL             default http://localhost:3000
 *   SWITCHBOARD_CLIENT_ID       a technical user with recordings:read (to play recordings)
 *   SWITCHBOARD_CLIENT_SECRET
 */
import { CrmDemo } from "./app";

const secrets = (process.env.CRM_WEBHOOK_SECRETS ?? "")
  .split(",")
  .map((secret) => secret.trim())
  .filter(Boolean);
if (secrets.length === 0) {
  console.error("Set CRM_WEBHOOK_SECRETS to the signing secret(s) Switchboard showed when you created the outbound APIs (whsec_…, comma-separated).");
  process.exit(1);
}

const demo = new CrmDemo({
  secrets,
  switchboardUrl: process.env.SWITCHBOARD_URL ?? "http://localhost:3000",
  clientId: process.env.SWITCHBOARD_CLIENT_ID,
  clientSecret: process.env.SWITCHBOARD_CLIENT_SECRET,
});
void demo.listen(Number(process.env.CRM_PORT ?? 4000), process.env.CRM_HOST ?? "127.0.0.1").then((port) => {
  console.info(`Demo CRM on http://localhost:${port}  (look-up: /lookup, notifications: /events, end-of-call data: /cdr, other hooks: /webhooks)`);
});
