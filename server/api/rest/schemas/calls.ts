/** Calls as `GET /calls/{call_id}` and `GET /extensions/{ext}/calls` return them (API.md §Endpoints); TS shapes in server/pbx/views.ts. */
import { z } from "zod";
import type { CallView, ExtensionCallItem } from "@/server/pbx/views";
import { isoTimeSchema } from "./common";
import { callDirectionSchema, cdrPartySchema, dispositionSchema, legEndReasonSchema, numberAndNameSchema, requestedTargetSchema } from "./cdr";

export const callStatusSchema = z.enum(["initiated", "in_flow", "ringing", "answered", "on_hold", "ended"]).meta({ id: "CallStatus" });

export const legViewSchema = z
  .object({
    leg_id: z.string(),
    sequence: z.number().int(),
    requested: requestedTargetSchema,
    answered_by: cdrPartySchema.nullable(),
    transferred_by: cdrPartySchema.nullable(),
    forwarded_from: z.object({ extension: z.string() }).nullable(),
    queue_id: z.string().nullable(),
    agent_id: z.string().nullable(),
    started_at: isoTimeSchema,
    answered_at: isoTimeSchema.nullable(),
    ended_at: isoTimeSchema.nullable(),
    disposition: dispositionSchema.nullable().describe("Null while the leg is open"),
    leg_end_reason: legEndReasonSchema.nullable().describe("Null while the leg is open"),
  })
  .meta({ id: "CallLeg" });

export const callSchema = z
  .object({
    call_id: z.string(),
    conversation_id: z.string(),
    status: callStatusSchema,
    direction: callDirectionSchema,
    caller: numberAndNameSchema,
    callee: numberAndNameSchema.describe("Whoever the caller talks to now, else who was asked for, else the number dialled"),
    flow_id: z.string().nullable(),
    started_at: isoTimeSchema,
    answered_at: isoTimeSchema.nullable(),
    ended_at: isoTimeSchema.nullable(),
    legs: z.array(legViewSchema),
  })
  .meta({ id: "Call", description: "A call (conversation): active, or ended recently" });

export const extensionCallSchema = z
  .object({
    call_id: z.string(),
    conversation_id: z.string(),
    direction: callDirectionSchema,
    status: z.enum(["ringing", "answered", "on_hold"]),
    caller: numberAndNameSchema,
    callee: numberAndNameSchema,
    started_at: isoTimeSchema,
    answered_at: isoTimeSchema.nullable(),
  })
  .meta({ id: "ExtensionCall", description: "A call as one extension takes part in it" });

export const startedCallSchema = z
  .object({ call_id: z.string(), conversation_id: z.string(), status: callStatusSchema })
  .meta({ id: "StartedCall" });

// Compile-time: the schemas and the PBX's view types describe the same objects.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _callMatches: Exact<z.output<typeof callSchema>, CallView> = true;
const _itemMatches: Exact<z.output<typeof extensionCallSchema>, ExtensionCallItem> = true;
void _callMatches;
void _itemMatches;
