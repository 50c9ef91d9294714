/**
 * What the CRM receives (API.md §Webhooks): Standard Webhooks envelopes
 * `{type, timestamp, data}`. The integration's delivery code builds its
 * payloads against these schemas; the OpenAPI document lists them under `webhooks`.
 */
import { z } from "zod";
import { isoTimeSchema } from "./common";
import { cdrPartySchema, cdrSchema } from "./cdr";

export const webhookContactSchema = z
  .object({ id: z.string().optional(), name: z.string().optional(), company: z.string().optional(), url: z.string().optional() })
  .meta({ id: "WebhookContact", description: "A CRM contact, as a data look-up returned it" });

export const callLookupDataSchema = z
  .object({
    call_id: z.string(),
    conversation_id: z.string(),
    caller: z.object({ number: z.string().describe("E.164"), number_raw: z.string().describe("As the network presented it"), name: z.string().nullable() }),
    called_number: z.string(),
    flow_id: z.string().nullable(),
    node_id: z.string().nullable(),
    variables: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "CallLookupData" });

/** The default reading of the CRM's reply; `response_mapping` adapts other shapes. */
export const callLookupReplySchema = z
  .object({
    extension: z.string().optional().describe("Route the call to this extension"),
    contact: webhookContactSchema.optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "CallLookupReply" });

export const callIncomingDataSchema = z
  .object({
    call_id: z.string(),
    conversation_id: z.string(),
    leg_id: z.string(),
    trigger: z.enum(["ringing", "answered"]),
    caller: z.object({ number: z.string(), name: z.string().nullable() }),
    called_number: z.string(),
    callee: cdrPartySchema.describe("The ringing or answering party: extension and user_id"),
    queue_id: z.string().nullable(),
    started_at: isoTimeSchema,
    answered_at: isoTimeSchema.nullable(),
    contact: webhookContactSchema.nullable(),
  })
  .meta({ id: "CallIncomingData" });

function envelope<T extends string, D extends z.ZodType>(type: T, data: D, id: string) {
  return z
    .object({ type: z.literal(type), timestamp: isoTimeSchema, data })
    .meta({ id, description: `Standard Webhooks body of \`${type}\`` });
}

export const callLookupWebhookSchema = envelope("call.lookup", callLookupDataSchema, "CallLookupWebhook");
export const callIncomingWebhookSchema = envelope("call.incoming", callIncomingDataSchema, "CallIncomingWebhook");
export const callEndedDataSchema = cdrSchema
  .extend({
    contact: webhookContactSchema
      .nullable()
      .describe("The CRM contact the call's data look-ups found (also when no one could be routed to); null when none did"),
  })
  .meta({ id: "CallEndedData", description: "A CDR (API.md §CDR) with the contact the call's look-ups found" });

export const callEndedWebhookSchema = envelope("call.ended", callEndedDataSchema, "CallEndedWebhook");

export interface WebhookDefinition {
  type: string;
  summary: string;
  description: string;
  envelope: z.ZodType;
  reply?: z.ZodType;
  replyDescription?: string;
}

export const webhookDefinitions: WebhookDefinition[] = [
  {
    type: "call.lookup",
    summary: "Data look-up during an incoming call",
    description: "Sent synchronously while the caller waits; answer within the configured timeout or the flow takes its error branch.",
    envelope: callLookupWebhookSchema,
    reply: callLookupReplySchema,
    replyDescription: "Found: route to `extension`, show `contact`, set `variables`. A 404 means not found.",
  },
  {
    type: "call.incoming",
    summary: "Incoming-call notification (ringing or answered)",
    description: "Lets the CRM pop the customer card. Retried on failure when configured.",
    envelope: callIncomingWebhookSchema,
  },
  {
    type: "call.ended",
    summary: "End-of-call data: a partial (`is_final: false`) or final CDR",
    description: "Each closed leg sends its partial CDR; the conversation's end sends the final one. Retried with the configured intervals.",
    envelope: callEndedWebhookSchema,
  },
];
