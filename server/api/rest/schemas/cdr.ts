/**
 * The call detail record as the API and the `call.ended` webhook carry it
 * (API.md §CDR); the TypeScript shape is `Cdr` in server/pbx/cdr.ts and the
 * assertions at the bottom keep both in step.
 */
import { z } from "zod";
import type { Cdr } from "@/server/pbx/cdr";
import { isoTimeSchema } from "./common";

export const callDirectionSchema = z.enum(["inbound", "outbound", "internal"]).meta({ id: "CallDirection" });

export const numberAndNameSchema = z
  .object({ number: z.string(), name: z.string().nullable() })
  .meta({ id: "NumberAndName", description: "A party's number (E.164 for external numbers, the extension for internal ones) and display name" });

export const cdrPartySchema = z
  .object({ extension: z.string().nullable(), user_id: z.string().nullable(), number: z.string().describe("The number reached (E.164 for external parties)") })
  .meta({ id: "CdrParty" });

export const requestedTargetSchema = z
  .object({ extension: z.string().optional(), number: z.string().optional(), extensions: z.array(z.string()).optional().describe("Ring groups: every extension rung") })
  .meta({ id: "RequestedTarget", description: "Who the caller asked for on this leg" });

export const dispositionSchema = z.enum(["answered", "no_answer", "busy", "failed", "cancelled", "voicemail"]).meta({ id: "Disposition" });
export const legEndReasonSchema = z
  .enum(["normal", "transferred_blind", "transferred_attended", "picked_up", "forwarded", "queue_timeout"])
  .meta({ id: "LegEndReason" });

const recordingLinkFields = {
  code: z.string().describe("Fetch the audio with GET /recordings/{code}"),
  url: z.string().describe("Path of the recording with its signed `token`; for mp3 it carries `format=mp3`"),
  duration_s: z.number(),
};

export const cdrRecordingSchema = z
  .discriminatedUnion("format", [
    z.object({ ...recordingLinkFields, format: z.literal("wav"), size_bytes: z.number().int(), sha256: z.string() }),
    z.object({
      ...recordingLinkFields,
      format: z.literal("mp3").describe("The end-of-call API asks for mp3 links (`recording_format`)"),
      size_bytes: z.null().describe("Unknown until the mp3 is encoded on first fetch"),
      sha256: z.null(),
    }),
  ])
  .meta({ id: "CdrRecording" });

const cdrFields = {
  cdr_id: z.string(),
  conversation_id: z.string(),
  call_id: z.string(),
  leg_id: z.string(),
  sequence: z.number().int(),
  is_final: z.boolean(),
  leg_end_reason: legEndReasonSchema,
  direction: callDirectionSchema,
  caller: numberAndNameSchema,
  called_number: z.string(),
  flow_id: z.string().nullable(),
  requested: requestedTargetSchema,
  answered_by: cdrPartySchema.nullable(),
  transferred_by: cdrPartySchema.nullable(),
  forwarded_from: z.object({ extension: z.string() }).nullable(),
  queue_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  started_at: isoTimeSchema,
  answered_at: isoTimeSchema.nullable(),
  ended_at: isoTimeSchema,
  duration_s: z.number(),
  talk_time_s: z.number(),
  ring_time_s: z.number(),
  disposition: dispositionSchema,
  hangup_cause: z.string(),
  recordings: z.array(cdrRecordingSchema).describe("Empty when the admin turned recording sending off"),
};

export const partialCdrSchema = z
  .object(cdrFields)
  .meta({ id: "PartialCdr", description: "The record of one closed leg (transfer, pickup, forward, queue hand-off); `is_final` is false" });

export const cdrSchema = z
  .object({ ...cdrFields, legs: z.array(partialCdrSchema).optional().describe("On the final record: the partial CDRs of legs closed earlier") })
  .meta({ id: "Cdr", description: "Call detail record (API.md §CDR)" });

// Compile-time: the schema and the PBX's Cdr type describe the same object.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type WithoutLegs<T> = Omit<T, "legs">;
const _cdrMatches: Exact<WithoutLegs<z.output<typeof cdrSchema>>, WithoutLegs<Cdr>> = true;
void _cdrMatches;
