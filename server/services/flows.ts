import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { extensions, flowRevisions, flows, phoneNumbers, queues } from "../db/schema";
import { newId } from "@/lib/ids";
import { parseFlowDocument, parseFlowDraft } from "@/flows/model/document";
import type { FlowDocument } from "@/flows/model/types";
import { validateFlow, type ValidationResult } from "@/flows/validation/validateFlow";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import { ServiceError, notFound } from "./errors";
import { outboundApiExists } from "./outboundApis";
import { audioPromptExists } from "./audioPrompts";

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

export function listFlows(db: Db): FlowSummary[] {
  return db.select(summaryColumns).from(flows).orderBy(flows.name).all();
}

export function getFlow(db: Db, id: string): FlowDetail {
  const row = db.select({ ...summaryColumns, draft: flows.draft }).from(flows).where(eq(flows.id, id)).get();
  if (!row) throw notFound("Flow", id);
  return { ...row, draft: readDocument(row.draft, id, parseFlowDraft) };
}

export function createFlow(db: Db, input: unknown, userId: string | null): FlowDetail {
  const document = acceptDraft(input);
  const id = newId("flow");
  db.insert(flows)
    .values({ id, name: document.name, description: document.description ?? "", draft: document, updatedBy: userId })
    .run();
  return getFlow(db, id);
}

/**
 * Replaces the draft. With `expectedVersion` (what the editor loaded) a save
 * over someone else's newer save is refused instead of silently overwriting it.
 */
export function updateDraft(db: Db, id: string, input: unknown, userId: string | null, expectedVersion?: number): FlowDetail {
  const document = acceptDraft(input);
  const result = db
    .update(flows)
    .set({
      name: document.name,
      description: document.description ?? "",
      draft: document,
      draftVersion: sql`${flows.draftVersion} + 1`,
      updatedBy: userId,
      updatedAt: new Date().toISOString(),
    })
    .where(expectedVersion === undefined ? eq(flows.id, id) : and(eq(flows.id, id), eq(flows.draftVersion, expectedVersion)))
    .run();
  if (result.changes === 0) {
    getFlow(db, id); // throws not_found when the flow is gone
    throw new ServiceError("precondition_failed", "Someone else saved this flow after you opened it", { messageKey: "errors.flowChangedElsewhere" });
  }
  return getFlow(db, id);
}

export function deleteFlow(db: Db, id: string): void {
  const users = db.select({ number: phoneNumbers.number }).from(phoneNumbers).where(eq(phoneNumbers.flowId, id)).all();
  if (users.length > 0) {
    throw new ServiceError("conflict", `Phone numbers still route to this flow: ${users.map((u) => u.number).join(", ")}`, {
      messageKey: "errors.flowInUse",
    });
  }
  const result = db.delete(flows).where(eq(flows.id, id)).run();
  if (result.changes === 0) throw notFound("Flow", id);
}

/** Existence checks for validation, answered from the database. */
export function databaseReferences(db: Db): ReferenceLookup {
  return {
    extensionExists: (number) => Boolean(db.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, number)).get()),
    queueExists: (id) => Boolean(db.select({ id: queues.id }).from(queues).where(eq(queues.id, id)).get()),
    outboundApiExists: (id, kind) => outboundApiExists(db, id, kind),
    flowExists: (id) => Boolean(db.select({ id: flows.id }).from(flows).where(eq(flows.id, id)).get()),
    audioPromptExists: (id) => audioPromptExists(db, id),
    gotoTargetsOf: (flowId) => {
      const document = loadPublishedDocument(db, flowId);
      return document ? document.nodes.flatMap((n) => (n.type === "goto_flow" && n.config.flow_id ? [n.config.flow_id] : [])) : [];
    },
  };
}

export function validateDocument(db: Db, input: unknown, flowId?: string): ValidationResult {
  return validateFlow(input, databaseReferences(db), { flowId });
}

/** Publishing freezes the draft as the next numbered, immutable revision; DIDs run the latest one. */
export function publishFlow(db: Db, id: string, userId: string | null): { revision: number; publishedAt: string } {
  const flow = getFlow(db, id);
  const validation = validateDocument(db, flow.draft, id);
  if (!validation.valid) {
    const first = validation.errors[0];
    throw new ServiceError("invalid", `The flow has ${validation.errors.length} error(s) and cannot be published: ${first.message}`, {
      field: first.path,
      messageKey: "errors.flowInvalid",
    });
  }
  return db.transaction((tx) => {
    const revision = (flow.latestRevision ?? 0) + 1;
    const publishedAt = new Date().toISOString();
    tx.insert(flowRevisions).values({ id: newId("flowRevision"), flowId: id, revision, document: flow.draft, publishedAt, publishedBy: userId }).run();
    return { revision, publishedAt };
  });
}

export function listRevisions(db: Db, flowId: string) {
  getFlow(db, flowId);
  return db
    .select({ revision: flowRevisions.revision, publishedAt: flowRevisions.publishedAt, publishedBy: flowRevisions.publishedBy })
    .from(flowRevisions)
    .where(eq(flowRevisions.flowId, flowId))
    .orderBy(desc(flowRevisions.revision))
    .all();
}

export function getRevision(db: Db, flowId: string, revision: number): FlowDocument {
  const row = db
    .select({ document: flowRevisions.document })
    .from(flowRevisions)
    .where(and(eq(flowRevisions.flowId, flowId), eq(flowRevisions.revision, revision)))
    .get();
  if (!row) throw notFound("Revision", `${flowId}#${revision}`);
  return readDocument(row.document, `${flowId}#${revision}`);
}

/** The document incoming calls run: the latest published revision, or null when never published. */
export function loadPublishedDocument(db: Db, flowId: string): (FlowDocument & { revision: number }) | null {
  const row = db
    .select({ document: flowRevisions.document, revision: flowRevisions.revision })
    .from(flowRevisions)
    .where(eq(flowRevisions.flowId, flowId))
    .orderBy(desc(flowRevisions.revision))
    .limit(1)
    .get();
  return row ? { ...readDocument(row.document, `${flowId}#${row.revision}`), revision: row.revision } : null;
}

/** Rollback publishes an old revision again as a new one (history is never rewritten) and makes it the draft. */
export function rollbackFlow(db: Db, flowId: string, revision: number, userId: string | null) {
  const document = getRevision(db, flowId, revision);
  updateDraft(db, flowId, document, userId);
  return publishFlow(db, flowId, userId);
}
