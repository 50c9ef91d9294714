import type { Locale } from "@/flows/model/types";
import { edges, node, say } from "./build";

/** Asks the CRM who owns the caller and rings that extension; unknown callers, CRM trouble and no answer fall back to a queue. */
export function crmOwnerRouting(locale: Locale, name: string) {
  return {
    schema_version: 1,
    name,
    language: locale,
    nodes: [
      node("start", "start", 0, 0),
      node("lookup", "data_lookup", 1, 0, { outbound_api_id: "crm-lookup" }, say(locale, "Who is calling?", "Ki telefonál?")),
      node("greet", "play", 2, -1, {
        text: say(
          locale,
          "Hello {{ lookup.contact.name | default: 'there' }}, we are putting you through to your account manager.",
          "Kedves {{ lookup.contact.name | default: 'Ügyfelünk' }}, kapcsoljuk ügyfélfelelősét.",
        ),
      }),
      node("owner", "dial_extension", 3, -1, { extension: "{{ lookup.extension }}", ring_timeout_s: 20 }, say(locale, "Account manager", "Ügyfélfelelős")),
      node("support", "queue", 2, 1, { queue_id: "support", max_wait_s: 120 }, say(locale, "Customer support", "Ügyfélszolgálat")),
      node("mailbox", "voicemail", 3, 1, {
        mailbox_extension: "101",
        greeting: say(locale, "Please leave a message after the tone.", "Kérjük, hagyjon üzenetet a sípszó után."),
        max_length_s: 120,
      }),
      node("bye", "hangup", 3, 2.2),
    ],
    edges: edges(
      "start:next->lookup",
      "lookup:found->greet",
      "lookup:not_found->support",
      "lookup:error->support",
      "greet:next->owner",
      "owner:no_answer->support",
      "owner:busy->support",
      "owner:failed->support",
      "support:timeout->mailbox",
      "support:no_agents->mailbox",
      "mailbox:next->bye",
    ),
  };
}
