/**
 * Public API of the operations area: phonebook, call forwarding, agent
 * states and time in state, call history (API.md §Endpoints). Thin: the
 * rules live in the services the portal uses too; these definitions map
 * HTTP (ETag / If-Match, status codes) onto them.
 */
import { z } from "zod";
import { processClock } from "@/server/runtime";
import { liveAgentStates } from "@/server/live/liveState";
import { contactNumberTypes, forwardingKinds, maxNumbersPerContact, cdrDirections, cdrDispositions, type Actor } from "@/lib/schemas/operations";
import * as phonebook from "@/server/services/phonebook";
import * as forwarding from "@/server/services/forwarding";
import { agentStatusTimes } from "@/server/services/callCentre";
import { listCdrs } from "@/server/services/callHistory";
import { defineOperation, reply, type ApiRequestInfo } from "../operation";
import { checkIfMatch, etagOf } from "../etag";
import { ApiProblem } from "../problem";
import { extensionSchema, idPathSchema, isoTimeSchema, listQuerySchema, listResponseSchema } from "../schemas/common";
import { cdrSchema } from "../schemas/cdr";

/** Technical users act for the organisation; their scopes were checked by the pipeline. */
const apiActor: Actor = { kind: "api" };

// ── phonebook ──────────────────────────────────────────────────────────

const contactNumberSchema = z.object({ type: z.enum(contactNumberTypes), number: z.string().describe("E.164") }).meta({ id: "ContactNumber" });

export const contactSchema = z
  .object({
    id: z.string(),
    external_id: z.string().nullable().describe("Your CRM's id; unique across the phonebook"),
    first_name: z.string(),
    last_name: z.string(),
    company: z.string(),
    email: z.string(),
    numbers: z.array(contactNumberSchema),
    notes: z.string(),
    version: z.number().int().describe("Increases on every change; the ETag"),
    created_at: isoTimeSchema,
    updated_at: isoTimeSchema,
  })
  .meta({ id: "Contact" });

const contactBodySchema = z
  .strictObject({
    external_id: z.string().trim().max(128, "At most 128 characters").nullish().describe("Unique; a duplicate is a 409"),
    first_name: z.string().trim().max(80, "At most 80 characters").optional(),
    last_name: z.string().trim().max(80, "At most 80 characters").optional(),
    company: z.string().trim().max(120, "At most 120 characters").optional(),
    email: z.union([z.literal(""), z.email("Not a valid e-mail address").max(200)]).optional(),
    numbers: z
      .array(
        z.strictObject({
          type: z.enum(contactNumberTypes),
          number: z.string().max(32, "At most 32 characters").describe("E.164 or national form; stored as E.164"),
        }),
      )
      .max(maxNumbersPerContact, `At most ${maxNumbersPerContact} numbers`)
      .optional(),
    notes: z.string().max(4000, "At most 4000 characters").optional(),
  })
  .refine((c) => Boolean(c.first_name?.trim() || c.last_name?.trim() || c.company?.trim()), { message: "A contact needs a first name, last name or company", path: ["first_name"] })
  .meta({ id: "ContactInput", description: "Missing fields are stored empty; `PUT` replaces the whole contact." });

const contactResponse = (contact: phonebook.ContactView, status = 200) =>
  reply(contact, { status, headers: { etag: etagOf(contact.version), ...(status === 201 ? { location: `/api/v1/phonebook/contacts/${contact.id}` } : {}) } });

export const listContacts = defineOperation({
  method: "GET",
  path: "/phonebook/contacts",
  operationId: "listContacts",
  summary: "List or search the phonebook",
  description: "`search` matches names, company, e-mail, `external_id`, and any number (typed in E.164, national or partial form).",
  tag: "Phonebook",
  scope: "phonebook:read",
  query: listQuerySchema,
  response: listResponseSchema(contactSchema),
  handler: ({ db, query }) => phonebook.listContacts(db, { search: query.search ?? "", limit: query.limit, offset: query.offset }),
});

export const createContact = defineOperation({
  method: "POST",
  path: "/phonebook/contacts",
  operationId: "createContact",
  summary: "Create a contact",
  tag: "Phonebook",
  scope: "phonebook:write",
  idempotent: true,
  status: 201,
  body: contactBodySchema,
  response: contactSchema,
  handler: async ({ db, body }) => contactResponse(await phonebook.createContact(db, body), 201),
});

export const getContact = defineOperation({
  method: "GET",
  path: "/phonebook/contacts/{id}",
  operationId: "getContact",
  summary: "Get a contact",
  description: "The `ETag` header goes back as `If-Match` on `PUT` and `DELETE`.",
  tag: "Phonebook",
  scope: "phonebook:read",
  params: idPathSchema,
  response: contactSchema,
  errors: [404],
  handler: async ({ db, params }) => contactResponse(await phonebook.getContact(db, params.id)),
});

export const updateContact = defineOperation({
  method: "PUT",
  path: "/phonebook/contacts/{id}",
  operationId: "updateContact",
  summary: "Replace a contact",
  description: "Send `If-Match` with the `ETag` you read: if someone changed the contact meanwhile the answer is 412 and nothing is overwritten.",
  tag: "Phonebook",
  scope: "phonebook:write",
  params: idPathSchema,
  body: contactBodySchema,
  response: contactSchema,
  errors: [404, 409, 412],
  handler: async ({ db, params, body, request }) => {
    const current = await phonebook.getContact(db, params.id);
    checkIfMatch(request, etagOf(current.version));
    return contactResponse(await phonebook.updateContact(db, params.id, body, { ifVersion: current.version }));
  },
});

export const deleteContact = defineOperation({
  method: "DELETE",
  path: "/phonebook/contacts/{id}",
  operationId: "deleteContact",
  summary: "Delete a contact",
  tag: "Phonebook",
  scope: "phonebook:write",
  params: idPathSchema,
  status: 204,
  errors: [404, 412],
  handler: async ({ db, params, request }) => {
    const current = await phonebook.getContact(db, params.id);
    checkIfMatch(request, etagOf(current.version));
    await phonebook.deleteContact(db, params.id, { ifVersion: current.version });
  },
});

// ── call forwarding ────────────────────────────────────────────────────

const forwardingRuleSchema = z
  .object({
    enabled: z.boolean(),
    destination: z.object({ type: z.enum(["extension", "external"]), number: z.string().describe("An extension, or an E.164 number") }),
    ring_timeout_s: z.number().int().optional().describe("no_answer only: how long the extension rings first"),
    etag: z.string().describe("The rule's ETag value (without quotes)"),
    updated_at: isoTimeSchema,
  })
  .meta({ id: "ForwardingRule" });

const extensionForwardingSchema = z
  .object({
    extension: z.string(),
    unconditional: forwardingRuleSchema.nullable(),
    busy: forwardingRuleSchema.nullable(),
    no_answer: forwardingRuleSchema.nullable(),
  })
  .meta({ id: "ExtensionForwarding", description: "A kind without a rule is null." });

const forwardingBodySchema = z
  .strictObject({
    enabled: z.boolean(),
    destination: z.strictObject({
      type: z.enum(["extension", "external"]),
      number: z.string().trim().min(1, "Required").max(32, "At most 32 characters").describe("An existing extension other than this one, or a number in E.164 or national form"),
    }),
    ring_timeout_s: z.number().int().min(5, "At least 5 seconds").max(300, "At most 300 seconds").optional().describe("no_answer only; 20 when omitted"),
  })
  .meta({ id: "ForwardingRuleInput" });

const forwardingKindPath = z.object({ ext: extensionSchema, kind: z.enum(forwardingKinds) });

async function currentRule(db: Parameters<typeof forwarding.getForwarding>[0], ext: string, kind: (typeof forwardingKinds)[number]) {
  return (await forwarding.getForwarding(db, apiActor, ext))[kind];
}

/** If-Match against a rule that may not exist: any If-Match on a missing rule fails (RFC 9110 §13.1.1). */
function checkRuleIfMatch(request: ApiRequestInfo, rule: forwarding.ForwardingRuleView | null): void {
  if (rule) return checkIfMatch(request, etagOf(rule.etag));
  if (request.headers.has("if-match")) throw new ApiProblem(412, "There is no such rule to match (If-Match was given)");
}

export const getExtensionForwarding = defineOperation({
  method: "GET",
  path: "/extensions/{ext}/forwarding",
  operationId: "getExtensionForwarding",
  summary: "Read an extension's call forwarding",
  tag: "Forwarding",
  scope: "forwarding:read",
  params: z.object({ ext: extensionSchema }),
  response: extensionForwardingSchema,
  errors: [404],
  handler: ({ db, params }) => forwarding.getForwarding(db, apiActor, params.ext),
});

export const getForwardingRule = defineOperation({
  method: "GET",
  path: "/extensions/{ext}/forwarding/{kind}",
  operationId: "getForwardingRule",
  summary: "Read one forwarding rule",
  description: "404 when the extension has no rule of this kind. The `ETag` header goes back as `If-Match` on `PUT` and `DELETE`.",
  tag: "Forwarding",
  scope: "forwarding:read",
  params: forwardingKindPath,
  response: forwardingRuleSchema,
  errors: [404],
  handler: async ({ db, params }) => {
    const rule = await currentRule(db, params.ext, params.kind);
    if (!rule) throw new ApiProblem(404, `Extension ${params.ext} has no ${params.kind} forwarding rule`);
    return reply(rule, { headers: { etag: etagOf(rule.etag) } });
  },
});

export const setForwardingRule = defineOperation({
  method: "PUT",
  path: "/extensions/{ext}/forwarding/{kind}",
  operationId: "setForwardingRule",
  summary: "Set a forwarding rule",
  description: "Creates or replaces the rule; it applies from the next call. With `If-Match`, only if the rule still has that ETag (412 otherwise).",
  tag: "Forwarding",
  scope: "forwarding:write",
  params: forwardingKindPath,
  body: forwardingBodySchema,
  response: forwardingRuleSchema,
  errors: [404, 412],
  handler: async ({ db, params, body, request }) => {
    if (body.ring_timeout_s !== undefined && params.kind !== "no_answer") {
      throw new ApiProblem(400, "ring_timeout_s applies to no_answer rules only", {
        errors: [{ path: "ring_timeout_s", code: "not_allowed", message: "Only no_answer rules have a ring timeout" }],
      });
    }
    const current = await currentRule(db, params.ext, params.kind);
    checkRuleIfMatch(request, current);
    const rule = await forwarding.setForwardingRule(db, apiActor, params.ext, params.kind, body, { ifMatch: current?.etag });
    return reply(rule, { headers: { etag: etagOf(rule.etag) } });
  },
});

export const deleteForwardingRule = defineOperation({
  method: "DELETE",
  path: "/extensions/{ext}/forwarding/{kind}",
  operationId: "deleteForwardingRule",
  summary: "Delete a forwarding rule",
  description: "Idempotent: deleting a rule that is not there is a 204 too (unless `If-Match` is given).",
  tag: "Forwarding",
  scope: "forwarding:write",
  params: forwardingKindPath,
  status: 204,
  errors: [404, 412],
  handler: async ({ db, params, request }) => {
    const current = await currentRule(db, params.ext, params.kind);
    checkRuleIfMatch(request, current);
    await forwarding.deleteForwardingRule(db, apiActor, params.ext, params.kind, { ifMatch: current?.etag });
  },
});

// ── call centre ────────────────────────────────────────────────────────

const agentStatusSchema = z.enum(["logged_out", "available", "paused", "on_call", "wrap_up"]).meta({ id: "AgentStatus" });

export const agentStateSchema = z
  .object({
    agent_id: z.string(),
    user_id: z.string().nullable(),
    name: z.string(),
    extension: z.string(),
    status: agentStatusSchema,
    pause_reason: z.string().nullable(),
    since: isoTimeSchema.nullable().describe("When the agent entered this status; null if never since start-up"),
  })
  .meta({ id: "AgentState" });

export const listAgentStates = defineOperation({
  method: "GET",
  path: "/agents/status",
  operationId: "listAgentStates",
  summary: "Current state of every call-centre agent",
  tag: "Call centre",
  scope: "agents:read",
  response: z.object({ items: z.array(agentStateSchema) }),
  handler: async ({ db }) => ({ items: await liveAgentStates(db) }),
});

const agentStatusTimesSchema = z
  .object({
    agent_id: z.string(),
    user_id: z.string(),
    name: z.string(),
    logged_in_s: z.number(),
    available_s: z.number(),
    paused_s: z.number(),
    on_call_s: z.number(),
    wrap_up_s: z.number(),
    paused_by_reason: z.record(z.string(), z.number()).describe("Paused seconds per reason; `unspecified` for pauses without one"),
    answered_calls: z.number().int(),
  })
  .meta({ id: "AgentStatusTimes" });

const instantSchema = z.iso.datetime({ offset: true, error: "An ISO 8601 time such as 2026-11-24T00:00:00Z" });

export const listAgentStatusTimes = defineOperation({
  method: "GET",
  path: "/agents/status-times",
  operationId: "listAgentStatusTimes",
  summary: "Time each agent spent in each state",
  description:
    "Within [from, until): states are clipped to the window, a state still open counts until now. `answered_calls` counts call legs the agent answered in the window. The portal's call-centre report shows the same numbers.",
  tag: "Call centre",
  scope: "agents:read",
  query: z
    .object({ from: instantSchema, until: instantSchema, agent_id: z.string().min(1).max(100).optional() })
    .refine((q) => Date.parse(q.from) < Date.parse(q.until), { message: "until must be after from", path: ["until"] }),
  response: z.object({ items: z.array(agentStatusTimesSchema) }),
  errors: [404],
  handler: async ({ db, query }) => ({ items: await agentStatusTimes(db, query, processClock().now()) }),
});

// ── call history ───────────────────────────────────────────────────────

export const listCallRecords = defineOperation({
  method: "GET",
  path: "/cdrs",
  operationId: "listCallRecords",
  summary: "Call history: final CDRs, newest first",
  description:
    "Calls that ended in [from, until), each final CDR with its partial legs. Page with `next_cursor`: pass it back as `cursor`; pages stay consistent while new calls are recorded (nothing skipped or repeated). `extension` matches any leg of the conversation.",
  tag: "Call history",
  scope: "cdrs:read",
  query: z.object({
    from: instantSchema.optional(),
    until: instantSchema.optional(),
    extension: extensionSchema.optional(),
    direction: z.enum(cdrDirections).optional(),
    disposition: z.enum(cdrDispositions).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50).describe("Page size, 1–500"),
    cursor: z.string().max(200).optional().describe("`next_cursor` of the previous page"),
  }),
  response: z.object({ items: z.array(cdrSchema), next_cursor: z.string().nullable() }),
  handler: ({ db, query }) => listCdrs(db, apiActor, query),
});
