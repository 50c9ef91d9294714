import { z } from "zod";

/**
 * Input schemas of the operations area (phonebook, forwarding, call centre,
 * call history), shared by the portal forms and the services. Shapes that the
 * public API exposes (contacts, forwarding rules, agent reports, CDR queries)
 * use the API's snake_case field names, so the REST layer and the portal send
 * the very same objects. Custom messages are i18n keys the portal translates.
 */

// ── phonebook ──────────────────────────────────────────────────────────

export const contactNumberTypes = ["work", "mobile", "home", "other"] as const;
export type ContactNumberType = (typeof contactNumberTypes)[number];

export const contactNumberSchema = z.strictObject({
  type: z.enum(contactNumberTypes),
  /** National or E.164 form; the service stores E.164. */
  number: z.string().trim().min(1, { error: "operations.errors.phoneNumber" }).max(32, { error: "operations.errors.phoneNumber" }),
});

export const maxNumbersPerContact = 20;

export const contactInputSchema = z
  .strictObject({
    external_id: z
      .string()
      .trim()
      .max(128)
      .nullish()
      .transform((value) => value || null),
    first_name: z.string().trim().max(80).default(""),
    last_name: z.string().trim().max(80).default(""),
    company: z.string().trim().max(120).default(""),
    email: z.union([z.literal(""), z.email({ error: "errors.email" }).max(200)]).default(""),
    numbers: z.array(contactNumberSchema).max(maxNumbersPerContact).default([]),
    notes: z.string().max(4000).default(""),
  })
  .refine((c) => Boolean(c.first_name || c.last_name || c.company), { error: "operations.errors.contactName", path: ["first_name"] });
export type ContactInput = z.input<typeof contactInputSchema>;

export const contactListQuerySchema = z.strictObject({
  search: z.string().trim().max(100).default(""),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ContactListQuery = z.input<typeof contactListQuerySchema>;

// ── forwarding ─────────────────────────────────────────────────────────

export const forwardingKinds = ["unconditional", "busy", "no_answer"] as const;
export type ForwardingKindName = (typeof forwardingKinds)[number];

/** One forwarding rule as API.md `PUT /extensions/{ext}/forwarding/{kind}` takes it. */
export const forwardingRuleInputSchema = z.strictObject({
  enabled: z.boolean(),
  destination: z.strictObject({
    type: z.enum(["extension", "external"]),
    number: z.string().trim().min(1, { error: "errors.required" }).max(32, { error: "operations.errors.phoneNumber" }),
  }),
  /** No-answer rules only: how long the extension rings before the call is forwarded. */
  ring_timeout_s: z.int().min(5).max(300).optional(),
});
export type ForwardingRuleInput = z.input<typeof forwardingRuleInputSchema>;

export const defaultNoAnswerRingTimeoutS = 20;

// ── call centre ────────────────────────────────────────────────────────

export const queueInputSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "errors.required" }).max(80),
  strategy: z.enum(["ring_all", "longest_idle"]),
  maxWaitS: z.coerce.number().int().min(10, { error: "operations.errors.maxWait" }).max(3600, { error: "operations.errors.maxWait" }),
  wrapUpS: z.coerce.number().int().min(0, { error: "operations.errors.wrapUp" }).max(600, { error: "operations.errors.wrapUp" }),
  memberAgentIds: z.array(z.string().min(1)).max(500).default([]),
});
export type QueueInput = z.input<typeof queueInputSchema>;

/** Offered in the pause menu; anything else is typed as free text. Stored as given, so CRMs read the same code. */
export const pauseReasonCodes = ["break", "lunch", "meeting", "training", "admin_work"] as const;

export const agentActionSchema = z.strictObject({
  agentId: z.string().min(1),
  action: z.enum(["login", "logout", "pause", "resume"]),
  reason: z.string().trim().max(60).nullish(),
});
export type AgentActionInput = z.input<typeof agentActionSchema>;

const isoInstant = z.iso.datetime({ offset: true, error: "operations.errors.timestamp" });

/** API.md `GET /agents/status-times`: the window is [from, until). */
export const statusTimesQuerySchema = z
  .strictObject({ from: isoInstant, until: isoInstant, agent_id: z.string().min(1).optional() })
  .refine((q) => Date.parse(q.from) < Date.parse(q.until), { error: "operations.errors.range", path: ["until"] });
export type StatusTimesQuery = z.input<typeof statusTimesQuerySchema>;

/** An IANA time zone name (the viewer's browser's); services check that Intl knows it. */
export const timeZoneSchema = z.string().min(1).max(64);

/** The home page's overview: "today" and its hours in the viewer's time zone. */
export const overviewQuerySchema = z.strictObject({ timeZone: timeZoneSchema });

/** The portal's per-day report: calendar days in the viewer's time zone, at most a year. */
export const dailyReportQuerySchema = z
  .strictObject({
    fromDay: z.iso.date(),
    untilDay: z.iso.date(),
    timeZone: timeZoneSchema,
    agent_id: z.string().min(1).optional(),
  })
  .refine((q) => q.fromDay <= q.untilDay, { error: "operations.errors.range", path: ["untilDay"] })
  .refine((q) => Date.parse(q.untilDay) - Date.parse(q.fromDay) <= 366 * 86_400_000, { error: "operations.errors.rangeTooLong", path: ["untilDay"] });
export type DailyReportQuery = z.input<typeof dailyReportQuerySchema>;

// ── call history ───────────────────────────────────────────────────────

export const cdrDirections = ["inbound", "outbound", "internal"] as const;
export const cdrDispositions = ["answered", "no_answer", "busy", "failed", "cancelled", "voicemail"] as const;

/** API.md `GET /cdrs`, plus the portal's direction and disposition filters. Calls that ended in [from, until), newest first. */
export const cdrQuerySchema = z.strictObject({
  from: isoInstant.optional(),
  until: isoInstant.optional(),
  extension: z.string().trim().regex(/^\d{2,6}$/, { error: "errors.extensionNumber" }).optional(),
  direction: z.enum(cdrDirections).optional(),
  disposition: z.enum(cdrDispositions).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type CdrQuery = z.input<typeof cdrQuerySchema>;

// ── who is asking ──────────────────────────────────────────────────────

/**
 * The caller of an operations service: a signed-in portal user (their role
 * and own extensions decide what they may see and change) or an API client,
 * whose scopes the REST layer already checked.
 */
export type Actor = { kind: "user"; userId: string; role: "admin" | "user" } | { kind: "api" };
