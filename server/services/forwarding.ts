import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { extensions, forwardingRules } from "../db/schema";
import { getConfig } from "../config";
import { toE164 } from "@/lib/phone";
import {
  defaultNoAnswerRingTimeoutS,
  forwardingKinds,
  forwardingRuleInputSchema,
  type Actor,
  type ForwardingKindName,
  type ForwardingRuleInput,
} from "@/lib/schemas/operations";
import { getExtensionByNumber, type ExtensionView } from "./extensions";
import { ServiceError, notFound } from "./errors";

/**
 * Call forwarding of an extension (API.md `GET/PUT/DELETE
 * /extensions/{ext}/forwarding[/{kind}]`). The PBX reads `forwarding_rules`
 * on every call (server/runtime/sqliteDirectory.ts), so a change applies to
 * the next call. Admins may change any extension, users their own ones.
 */

export interface ForwardingRuleView {
  enabled: boolean;
  destination: { type: "extension" | "external"; number: string };
  /** No-answer rules only. */
  ring_timeout_s?: number;
  /** The rule's ETag: its version and update time, so a rule deleted and created again does not repeat an old tag. */
  etag: string;
  updated_at: string;
}

export interface ExtensionForwardingView {
  extension: string;
  unconditional: ForwardingRuleView | null;
  busy: ForwardingRuleView | null;
  no_answer: ForwardingRuleView | null;
}

type RuleRow = typeof forwardingRules.$inferSelect;

function ruleView(row: RuleRow): ForwardingRuleView {
  return {
    enabled: row.enabled,
    destination: { type: row.destinationType, number: row.destinationNumber },
    ...(row.kind === "no_answer" ? { ring_timeout_s: row.ringTimeoutS ?? defaultNoAnswerRingTimeoutS } : {}),
    etag: `${row.version}-${Date.parse(row.updatedAt)}`,
    updated_at: row.updatedAt,
  };
}

function forwardingOf(extension: string, rows: RuleRow[]): ExtensionForwardingView {
  const view: ExtensionForwardingView = { extension, unconditional: null, busy: null, no_answer: null };
  for (const row of rows) view[row.kind] = ruleView(row);
  return view;
}

async function requireExtension(db: Db, number: string): Promise<ExtensionView> {
  const extension = await getExtensionByNumber(db, number);
  if (!extension) throw notFound("Extension", number);
  return extension;
}

export function canEditForwarding(actor: Actor, extension: Pick<ExtensionView, "ownerUserId">): boolean {
  return actor.kind === "api" || actor.role === "admin" || (extension.ownerUserId !== null && extension.ownerUserId === actor.userId);
}

/** Forwarding is the owner's business: a `user` reads and changes their own extensions' only; admins and the API all. */
async function requireOwnOrAdmin(db: Db, actor: Actor, number: string): Promise<ExtensionView> {
  const extension = await requireExtension(db, number);
  if (!canEditForwarding(actor, extension)) {
    throw new ServiceError("forbidden", `Only an administrator or the owner of extension ${number} may see or change its forwarding`, {
      messageKey: "operations.errors.notYourExtension",
    });
  }
  return extension;
}

export async function getForwarding(db: Db, actor: Actor, extensionNumber: string): Promise<ExtensionForwardingView> {
  const extension = await requireOwnOrAdmin(db, actor, extensionNumber);
  return forwardingOf(extension.number, await db.select().from(forwardingRules).where(eq(forwardingRules.extensionId, extension.id)));
}

/** The forwarding of every extension `actor` may see (a `user`: their own), for the extensions page's forwarding column. */
export async function forwardingOverview(db: Db, actor: Actor): Promise<Array<ExtensionForwardingView & { canEdit: boolean }>> {
  const rows = await db
    .select({ rule: forwardingRules, number: extensions.number })
    .from(forwardingRules)
    .innerJoin(extensions, eq(extensions.id, forwardingRules.extensionId));
  return (await db
    .select({ id: extensions.id, number: extensions.number, ownerUserId: extensions.ownerUserId })
    .from(extensions)
    .orderBy(asc(extensions.number)))
    .filter((extension) => canEditForwarding(actor, extension))
    .map((extension) => ({
      ...forwardingOf(
        extension.number,
        rows.filter((r) => r.number === extension.number).map((r) => r.rule),
      ),
      canEdit: true,
    }));
}

/** A destination the PBX can dial: an existing extension other than this one, or an external number in E.164. */
async function destinationOf(db: Db, extensionNumber: string, destination: ForwardingRuleInput["destination"]) {
  const field = "destination.number";
  if (destination.type === "external") {
    const number = toE164(destination.number, getConfig().DEFAULT_REGION);
    if (!number) throw new ServiceError("invalid", `${destination.number} is not a valid phone number`, { field, messageKey: "operations.errors.phoneNumber" });
    return { type: "external" as const, number };
  }
  const number = destination.number.trim();
  if (number === extensionNumber) {
    throw new ServiceError("invalid", "An extension cannot forward to itself", { field, messageKey: "operations.errors.forwardToSelf" });
  }
  if (!(await getExtensionByNumber(db, number))) {
    throw new ServiceError("invalid", `Extension ${number} does not exist`, { field, messageKey: "operations.errors.noSuchExtension" });
  }
  return { type: "extension" as const, number };
}

async function currentRule(db: Db, extensionId: string, kind: ForwardingKindName): Promise<RuleRow | undefined> {
  return (await db
    .select()
    .from(forwardingRules)
    .where(and(eq(forwardingRules.extensionId, extensionId), eq(forwardingRules.kind, kind))).limit(1))[0];
}

const changedElsewhere = () =>
  new ServiceError("precondition_failed", "The forwarding rule was changed by someone else since it was read", {
    messageKey: "operations.errors.changedElsewhere",
  });

function assertEtag(current: RuleRow | undefined, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && (!current || ruleView(current).etag !== ifMatch)) throw changedElsewhere();
}

/** Creates or replaces one rule; with `ifMatch` (an `etag` read earlier) only if nobody changed it meanwhile. */
export async function setForwardingRule(
  db: Db,
  actor: Actor,
  extensionNumber: string,
  kind: ForwardingKindName,
  input: ForwardingRuleInput,
  options: { ifMatch?: string } = {},
): Promise<ForwardingRuleView> {
  const extension = await requireOwnOrAdmin(db, actor, extensionNumber);
  const data = forwardingRuleInputSchema.parse(input);
  const destination = await destinationOf(db, extension.number, data.destination);
  const values = {
    enabled: data.enabled,
    destinationType: destination.type,
    destinationNumber: destination.number,
    ringTimeoutS: kind === "no_answer" ? (data.ring_timeout_s ?? defaultNoAnswerRingTimeoutS) : null,
    updatedAt: new Date().toISOString(),
  };
  return transaction(db, async (tx) => {
    const current = await currentRule(tx, extension.id, kind);
    assertEtag(current, options.ifMatch);
    if (current) {
      await tx.update(forwardingRules)
        .set({ ...values, version: current.version + 1 })
        .where(and(eq(forwardingRules.extensionId, extension.id), eq(forwardingRules.kind, kind)));
    } else {
      await tx.insert(forwardingRules).values({ extensionId: extension.id, kind, ...values });
    }
    return ruleView((await currentRule(tx, extension.id, kind))!);
  });
}

/** Removes one rule (idempotent without `ifMatch`; with it, a missing or changed rule is a precondition failure). */
export async function deleteForwardingRule(db: Db, actor: Actor, extensionNumber: string, kind: ForwardingKindName, options: { ifMatch?: string } = {}): Promise<void> {
  const extension = await requireOwnOrAdmin(db, actor, extensionNumber);
  await transaction(db, async (tx) => {
    assertEtag(await currentRule(tx, extension.id, kind), options.ifMatch);
    await tx.delete(forwardingRules)
      .where(and(eq(forwardingRules.extensionId, extension.id), eq(forwardingRules.kind, kind)));
  });
}

/**
 * The portal's forwarding dialog saves all three kinds at once: a rule given
 * is set, `null` removes it; `etags` guard against a concurrent change.
 * All or nothing, in one transaction.
 */
export async function saveForwarding(
  db: Db,
  actor: Actor,
  extensionNumber: string,
  rules: Record<ForwardingKindName, ForwardingRuleInput | null>,
  etags: Partial<Record<ForwardingKindName, string | null>> = {},
): Promise<ExtensionForwardingView> {
  await transaction(db, async (tx) => {
    const extension = await requireOwnOrAdmin(tx, actor, extensionNumber);
    for (const kind of forwardingKinds) {
      const rule = rules[kind];
      const expected = etags[kind];
      // null: the dialog saw no rule, so one created elsewhere meanwhile is a conflict too.
      if (expected === null && (await currentRule(tx, extension.id, kind))) throw changedElsewhere();
      const ifMatch = expected ?? undefined;
      try {
        if (rule) await setForwardingRule(tx, actor, extensionNumber, kind, rule, { ifMatch });
        else await deleteForwardingRule(tx, actor, extensionNumber, kind, { ifMatch });
      } catch (error) {
        // Field errors name the kind, so the dialog shows them in the right section.
        if (error instanceof ServiceError && error.options.field) {
          throw new ServiceError(error.code, error.message, { ...error.options, field: `${kind}.${error.options.field}` });
        }
        throw error;
      }
    }
  });
  return getForwarding(db, actor, extensionNumber);
}
