/**
 * Saved test scenarios a flow document can carry (`test_scenarios`): who
 * calls, when, how phones and the CRM behave, what the caller presses — and
 * what must happen. The server runs them against the simulated PBX
 * (`npm run cli -- flows test`, the editor's scenario panel, our own tests).
 */
import { z } from "zod";
import { ELEMENT_ID_PATTERN } from "@/flows/model/ids";

const nodeId = z.string().regex(ELEMENT_ID_PATTERN);

export const phoneBehaviorSchema = z.strictObject({
  behavior: z.enum(["answer", "busy", "no_answer", "dnd", "offline"]),
  answer_after_s: z.number().min(0).max(300).optional(),
  /** The answering person hangs up after this long; 30 s when unset. */
  hangup_after_s: z.number().min(1).max(3600).optional(),
});

export const mockedLookupSchema = z.discriminatedUnion("status", [
  z.strictObject({
    status: z.literal("found"),
    extension: z.string().max(32).optional(),
    contact: z.strictObject({ id: z.string().optional(), name: z.string().optional(), company: z.string().optional(), url: z.string().optional() }).optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
  }),
  z.strictObject({ status: z.literal("not_found") }),
  z.strictObject({ status: z.literal("timeout") }),
  z.strictObject({ status: z.literal("error") }),
]);

export const testScenarioSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  caller: z.string().trim().min(2).max(32),
  called_number: z.string().trim().min(2).max(32),
  /** Simulated moment of the call (ISO 8601 with offset); now when unset. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** Extension phone behaviours; unset phones answer after 2 s. */
  phones: z.record(z.string().regex(/^\d{2,6}$/), phoneBehaviorSchema).optional(),
  /** Keys the caller presses when the flow reaches a node (each entry once, in order). */
  dtmf: z.array(z.strictObject({ node_id: nodeId, digits: z.string().regex(/^[0-9*#]{1,20}$/) })).max(50).optional(),
  /** Replies of the CRM look-ups, by outbound API id. */
  lookups: z.record(z.string().min(1).max(64), mockedLookupSchema).optional(),
  /** The caller hangs up this long after dialling, whatever happens. */
  caller_hangs_up_after_s: z.number().min(1).max(3600).optional(),
  expect: z.strictObject({
    /** Node ids visited, in order (the whole path). */
    path: z.array(nodeId).max(1000).optional(),
    disposition: z.enum(["answered", "no_answer", "busy", "failed", "cancelled", "voicemail"]).optional(),
    answered_by: z.string().regex(/^\d{2,6}$/).optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type TestScenario = z.infer<typeof testScenarioSchema>;
export type MockedLookup = z.infer<typeof mockedLookupSchema>;
