import { z } from "zod";
import { flowDocumentSchema, parseFlowDocument } from "@/flows/model/document";
import * as flowService from "@/server/services/flows";
import { defineOperation, reply, type ApiRequestInfo } from "../operation";
import { ApiProblem, validationDetail } from "../problem";
import { checkIfMatch, etagOf } from "../etag";
import { idPathSchema, isoTimeSchema, listQuerySchema, listResponseSchema, paginate } from "../schemas/common";

/** The document schema for the OpenAPI document; the rule itself is parseFlowDocument (it also upgrades older versions). */
const flowDocumentDocs = flowDocumentSchema.meta({ id: "FlowDocument", description: "API.md §Flow document; exactly one `start` node" });

const flowSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    updated_at: isoTimeSchema,
    draft_version: z.number().int().describe("Bumped on every draft save; also the ETag"),
    latest_revision: z.number().int().nullable().describe("Null until first published"),
    published_at: isoTimeSchema.nullable(),
  })
  .meta({ id: "FlowSummary" });

const flowSchema = flowSummarySchema.extend({ document: z.unknown().describe("The draft flow document (FlowDocument)") }).meta({ id: "Flow" });

const validationIssueSchema = z
  .object({ node_id: z.string().optional(), path: z.string(), message: z.string(), code: z.string().describe("Stable machine-readable code") })
  .meta({ id: "FlowValidationIssue" });

const validationResultSchema = z
  .object({ valid: z.boolean(), errors: z.array(validationIssueSchema), warnings: z.array(validationIssueSchema) })
  .meta({ id: "FlowValidationResult" });

function toApiSummary(flow: flowService.FlowSummary): z.input<typeof flowSummarySchema> {
  return {
    id: flow.id,
    name: flow.name,
    description: flow.description,
    updated_at: flow.updatedAt,
    draft_version: flow.draftVersion,
    latest_revision: flow.latestRevision,
    published_at: flow.publishedAt,
  };
}

function flowReply(flow: flowService.FlowDetail, status?: number) {
  return reply({ ...toApiSummary(flow), document: flow.draft }, { status, headers: { etag: etagOf(flow.draftVersion) } });
}

/** Every problem of a flow document at once, each with its path, before the service sees it. */
function acceptDocument(input: unknown): unknown {
  const parsed = parseFlowDocument(input);
  if (parsed.ok) return parsed.document;
  // `schema_invalid`: the code POST /flows/validate gives the same findings.
  const errors = parsed.errors.map(({ path, message }) => ({ path, code: "schema_invalid", message }));
  throw new ApiProblem(400, validationDetail("The flow document is invalid", errors), { errors });
}

/** `If-Match: "<draft_version>"` → the version the save must replace (checked atomically by the service). */
function expectedVersionOf(request: ApiRequestInfo, current: number): number | undefined {
  if (request.headers.get("if-match") === null) return undefined;
  checkIfMatch(request, etagOf(current));
  return current;
}

export const listFlows = defineOperation({
  method: "GET",
  path: "/flows",
  operationId: "listFlows",
  summary: "List flows",
  tag: "Flows",
  scope: "flows:read",
  query: listQuerySchema,
  response: listResponseSchema(flowSummarySchema),
  handler: async ({ db, query }) => {
    const page = paginate(await flowService.listFlows(db), query, (flow) => `${flow.name} ${flow.description}`);
    return { items: page.items.map(toApiSummary), total: page.total };
  },
});

export const createFlow = defineOperation({
  method: "POST",
  path: "/flows",
  operationId: "createFlow",
  summary: "Create a flow from a flow document (as its draft)",
  tag: "Flows",
  scope: "flows:write",
  idempotent: true,
  status: 201,
  body: z.unknown(),
  bodyDocs: flowDocumentDocs,
  response: flowSchema,
  handler: async ({ db, body }) => flowReply(await flowService.createFlow(db, acceptDocument(body), null), 201),
});

export const getFlow = defineOperation({
  method: "GET",
  path: "/flows/{id}",
  operationId: "getFlow",
  summary: "Get a flow with its draft document",
  description: "The `ETag` is the draft version; send it back as `If-Match` with `PUT` to refuse overwriting someone else's newer save.",
  tag: "Flows",
  scope: "flows:read",
  params: idPathSchema,
  response: flowSchema,
  errors: [404],
  handler: async ({ db, params }) => flowReply(await flowService.getFlow(db, params.id)),
});

export const replaceFlowDraft = defineOperation({
  method: "PUT",
  path: "/flows/{id}",
  operationId: "replaceFlowDraft",
  summary: "Replace a flow's draft",
  description: "Publishing is separate (`POST /flows/{id}/publish`). With `If-Match`, a stale draft version is a 412.",
  tag: "Flows",
  scope: "flows:write",
  params: idPathSchema,
  body: z.unknown(),
  bodyDocs: flowDocumentDocs,
  response: flowSchema,
  errors: [404, 412],
  handler: async ({ db, params, body, request }) => {
    const document = acceptDocument(body);
    const expectedVersion = expectedVersionOf(request, (await flowService.getFlow(db, params.id)).draftVersion);
    return flowReply(await flowService.updateDraft(db, params.id, document, null, expectedVersion));
  },
});

export const deleteFlow = defineOperation({
  method: "DELETE",
  path: "/flows/{id}",
  operationId: "deleteFlow",
  summary: "Delete a flow and its revisions",
  description: "Refused with 409 while phone numbers route to it.",
  tag: "Flows",
  scope: "flows:write",
  params: idPathSchema,
  status: 204,
  errors: [404, 409],
  handler: ({ db, params }) => flowService.deleteFlow(db, params.id),
});

export const validateFlow = defineOperation({
  method: "POST",
  path: "/flows/validate",
  operationId: "validateFlow",
  summary: "Validate a flow document without saving it",
  description: "Always 200 for a JSON body: findings are in `errors` (block publishing) and `warnings`.",
  tag: "Flows",
  scope: "flows:read",
  body: z.unknown(),
  bodyDocs: flowDocumentDocs,
  response: validationResultSchema,
  handler: async ({ db, body }) => {
    const result = await flowService.validateDocument(db, body);
    const issue = ({ node_id, path, message, code }: (typeof result.errors)[number]) => ({ ...(node_id !== undefined ? { node_id } : {}), path, message, code });
    return { valid: result.valid, errors: result.errors.map(issue), warnings: result.warnings.map(issue) };
  },
});

export const publishFlow = defineOperation({
  method: "POST",
  path: "/flows/{id}/publish",
  operationId: "publishFlow",
  summary: "Publish the draft as the next revision",
  description: "Incoming calls to the flow's numbers run the latest revision from then on. A draft with validation errors is refused (400).",
  tag: "Flows",
  scope: "flows:write",
  idempotent: true,
  params: idPathSchema,
  response: z.object({ revision: z.number().int(), published_at: isoTimeSchema }).meta({ id: "PublishedRevision" }),
  errors: [404],
  handler: async ({ db, params }) => {
    const { revision, publishedAt } = await flowService.publishFlow(db, params.id, null);
    return { revision, published_at: publishedAt };
  },
});

export const listFlowRevisions = defineOperation({
  method: "GET",
  path: "/flows/{id}/revisions",
  operationId: "listFlowRevisions",
  summary: "A flow's published revisions, newest first",
  tag: "Flows",
  scope: "flows:read",
  params: idPathSchema,
  response: z.object({
    items: z.array(z.object({ revision: z.number().int(), published_at: isoTimeSchema, published_by: z.string().nullable().describe("Portal user id; null when published through the API") })),
  }),
  errors: [404],
  handler: async ({ db, params }) => ({
    items: (await flowService.listRevisions(db, params.id)).map((r) => ({ revision: r.revision, published_at: r.publishedAt, published_by: r.publishedBy })),
  }),
});
