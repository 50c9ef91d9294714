import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows, transaction } from "../db/transaction";
import { audioPrompts, extensions, flowRevisions, flows, outboundApis, phoneNumbers, queues } from "../db/schema";
import { newId } from "@/lib/ids";
import { parseFlowDocument, parseFlowDraft } from "@/flows/model/document";
import type { FlowDocument } from "@/flows/model/types";
import { validateFlow, type ValidationResult } from "@/flows/validation/validateFlow";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import { ServiceError, notFound } from "./errors";

export interface FlowSummary {
  id: string;
  name: string;
  description: string;
  updatedAt: string;
  draftVersion: number;
  latestRevision: number | null;
  publishedAt: string | null;
}

export interface FlowDetail extends FlowSummary {
  draft: FlowDocument;
}

type Parser = typeof parseFlowDocument;

/** Every stored document is read through the parsers, which upgrade older schema versions. */
function readDocument(stored: unknown, where: string, parse: Parser = parseFlowDocument): FlowDocument {
  const parsed = parse(stored);
  if (!parsed.ok) throw new Error(`stored flow document ${where} is unreadable: ${parsed.errors[0]?.message}`);
  return parsed.document;
}

/**
 * A draft from outside (API body, import, editor), refused with field-level
 * errors when its structure is malformed. Node configs may be incomplete —
 * the admin is still editing; publishing requires a valid document.
 */
function acceptDraft(input: unknown): FlowDocument {
  const parsed = parseFlowDraft(input);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    throw new ServiceError("invalid", `Invalid flow document: ${first?.path ? `${first.path}: ` : ""}${first?.message}`, {
      field: first?.path,
      messageKey: "errors.flowDocument",
    });
  }
  return parsed.document;
}

// Spelled out with table names: inside a correlated subquery, unqualified columns would bind to the inner table.
const latestRevision = sql<number | null>`(select max(r.revision) from flow_revisions r where r.flow_id = "flows"."id")`;
const latestPublishedAt = sql<string | null>`(select r.published_at from flow_revisions r where r.flow_id = "flows"."id" order by r.revision desc limit 1)`;

const summaryColumns = {
  id: flows.id,
  name: flows.name,
  description: flows.description,
  updatedAt: flows.updatedAt,
  draftVersion: flows.draftVersion,
  latestRevision,
  publishedAt: latestPublishedAt,
};

export async function listFlows(db: Db): Promise<FlowSummary[]> {
  return db.select(summaryColumns).from(flows).orderBy(flows.name);
}

export async function getFlow(db: Db, id: string): Promise<FlowDetail> {
  const [row] = await db.select({ ...summaryColumns, draft: flows.draft }).from(flows).where(eq(flows.id, id)).limit(1);
  if (!row) throw notFound("Flow", id);
  return { ...row, draft: readDocument(row.draft, id, parseFlowDraft) };
}

export async function createFlow(db: Db, input: unknown, userId: string | null): Promise<FlowDetail> {
  const document = acceptDraft(input);
  const id = newId("flow");
  await db.insert(flows).values({ id, name: document.name, description: document.description ?? "", draft: document, updatedBy: userId });
  return getFlow(db, id);
}

/**
 * Replaces the draft. With `expectedVersion` (what the editor loaded) a save
 * over someone else's newer save is refused instead of silently overwriting it.
 */
export async function updateDraft(db: Db, id: string, input: unknown, userId: string | null, expectedVersion?: number): Promise<FlowDetail> {
  const document = acceptDraft(input);
  const result = await db
    .update(flows)
    .set({
      name: document.name,
      description: document.description ?? "",
      draft: document,
      draftVersion: sql`${flows.draftVersion} + 1`,
      updatedBy: userId,
      updatedAt: new Date().toISOString(),
    })
    .where(expectedVersion === undefined ? eq(flows.id, id) : and(eq(flows.id, id), eq(flows.draftVersion, expectedVersion)));
  if (affectedRows(result) === 0) {
    await getFlow(db, id); // throws not_found when the flow is gone
    throw new ServiceError("precondition_failed", "Someone else saved this flow after you opened it", { messageKey: "errors.flowChangedElsewhere" });
  }
  return getFlow(db, id);
}

export async function deleteFlow(db: Db, id: string): Promise<void> {
  const users = await db.select({ number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.flowId, id));
  if (users.length > 0) {
    throw new ServiceError("conflict", `Phone numbers still route to this flow: ${users.map((u) => u.number).join(", ")}`, {
      messageKey: "errors.flowInUse",
    });
  }
  const result = await db.delete(flows).where(eq(flows.id, id));
  if (affectedRows(result) === 0) throw notFound("Flow", id);
}

/**
 * Existence checks for validation, answered from the database. Validation is
 * synchronous (flows/ is pure), so the few ids it may ask about are read first:
 * configuration is small (extensions, queues, endpoints, prompts, flows).
 */
export async function databaseReferences(db: Db): Promise<ReferenceLookup> {
  // One after the other, not side by side: inside a PostgreSQL transaction `db` is one client, which runs one query at a time.
  const extensionRows = await db.select({ number: extensions.number }).from(extensions);
  const queueRows = await db.select({ id: queues.id }).from(queues);
  const apiRows = await db.select({ id: outboundApis.id, kind: outboundApis.kind }).from(outboundApis);
  const flowRows = await db.select({ id: flows.id }).from(flows);
  const promptRows = await db.select({ id: audioPrompts.id }).from(audioPrompts);
  const published = await latestPublishedDocuments(db);
  const extensionNumbers = new Set(extensionRows.map((row) => row.number));
  const queueIds = new Set(queueRows.map((row) => row.id));
  const apiKinds = new Map(apiRows.map((row) => [row.id, row.kind]));
  const flowIds = new Set(flowRows.map((row) => row.id));
  const promptIds = new Set(promptRows.map((row) => row.id));
  return {
    extensionExists: (number) => extensionNumbers.has(number),
    queueExists: (id) => queueIds.has(id),
    outboundApiExists: (id, kind) => apiKinds.has(id) && (kind === undefined || apiKinds.get(id) === kind),
    flowExists: (id) => flowIds.has(id),
    audioPromptExists: (id) => promptIds.has(id),
    gotoTargetsOf: (flowId) => {
      const document = published.get(flowId);
      return document ? document.nodes.flatMap((n) => (n.type === "goto_flow" && n.config.flow_id ? [n.config.flow_id] : [])) : [];
    },
  };
}

/** Every flow's latest published revision, by flow id (for goto_flow cycle detection). */
async function latestPublishedDocuments(db: Db): Promise<Map<string, FlowDocument>> {
  const rows = await db
    .select({ flowId: flowRevisions.flowId, document: flowRevisions.document, revision: flowRevisions.revision })
    .from(flowRevisions)
    .where(sql`${flowRevisions.revision} = (select max(r.revision) from flow_revisions r where r.flow_id = ${flowRevisions.flowId})`);
  return new Map(rows.map((row) => [row.flowId, readDocument(row.document, `${row.flowId}#${row.revision}`)]));
}

export async function validateDocument(db: Db, input: unknown, flowId?: string): Promise<ValidationResult> {
  return validateFlow(input, await databaseReferences(db), { flowId });
}

/** Publishing freezes the draft as the next numbered, immutable revision; DIDs run the latest one. */
export async function publishFlow(db: Db, id: string, userId: string | null): Promise<{ revision: number; publishedAt: string }> {
  const flow = await getFlow(db, id);
  const validation = await validateDocument(db, flow.draft, id);
  if (!validation.valid) {
    const first = validation.errors[0];
    throw new ServiceError("invalid", `The flow has ${validation.errors.length} error(s) and cannot be published: ${first.message}`, {
      field: first.path,
      messageKey: "errors.flowInvalid",
    });
  }
  return transaction(db, async (tx) => {
    const revision = (flow.latestRevision ?? 0) + 1;
    const publishedAt = new Date().toISOString();
    await tx.insert(flowRevisions).values({ id: newId("flowRevision"), flowId: id, revision, document: flow.draft, publishedAt, publishedBy: userId });
    return { revision, publishedAt };
  });
}

export async function listRevisions(db: Db, flowId: string) {
  await getFlow(db, flowId);
  return db
    .select({ revision: flowRevisions.revision, publishedAt: flowRevisions.publishedAt, publishedBy: flowRevisions.publishedBy })
    .from(flowRevisions)
    .where(eq(flowRevisions.flowId, flowId))
    .orderBy(desc(flowRevisions.revision));
}

export async function getRevision(db: Db, flowId: string, revision: number): Promise<FlowDocument> {
  const [row] = await db
    .select({ document: flowRevisions.document })
    .from(flowRevisions)
    .where(and(eq(flowRevisions.flowId, flowId), eq(flowRevisions.revision, revision)))
    .limit(1);
  if (!row) throw notFound("Revision", `${flowId}#${revision}`);
  return readDocument(row.document, `${flowId}#${revision}`);
}

/** The document incoming calls run: the latest published revision, or null when never published. */
export async function loadPublishedDocument(db: Db, flowId: string): Promise<(FlowDocument & { revision: number }) | null> {
  const [row] = await db
    .select({ document: flowRevisions.document, revision: flowRevisions.revision })
    .from(flowRevisions)
    .where(eq(flowRevisions.flowId, flowId))
    .orderBy(desc(flowRevisions.revision))
    .limit(1);
  return row ? { ...readDocument(row.document, `${flowId}#${row.revision}`), revision: row.revision } : null;
}

/** Rollback publishes an old revision again as a new one (history is never rewritten) and makes it the draft. */
export async function rollbackFlow(db: Db, flowId: string, revision: number, userId: string | null) {
  const document = await getRevision(db, flowId, revision);
  await updateDraft(db, flowId, document, userId);
  return publishFlow(db, flowId, userId);
}
