import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import type { SessionUser } from "../../auth/options";
import { processClock } from "../../runtime";
import { onRuntime } from "../../runtime/callRouting";
import { liveAgentStates, liveCallsFor } from "../../live/liveState";
import {
  agentActionSchema,
  cdrQuerySchema,
  contactInputSchema,
  contactListQuerySchema,
  dailyReportQuerySchema,
  forwardingRuleInputSchema,
  queueInputSchema,
  type Actor,
} from "@/lib/schemas/operations";
import { extensionNumberSchema } from "@/lib/schemas/directory";
import { ServiceError } from "../../services/errors";
import { listUsers } from "../../services/users";
import { createContact, deleteContact, getContact, importContactsCsv, listContacts, updateContact } from "../../services/phonebook";
import { forwardingOverview, getForwarding, saveForwarding } from "../../services/forwarding";
import {
  agentBoard,
  agentDailyReport,
  agentIdOfUser,
  createQueue,
  deleteQueue,
  listQueues,
  updateQueue,
} from "../../services/callCentre";
import { callsWithTrace, getCallTrace, listCdrs } from "../../services/callHistory";
import { getCallReplay, replayableCalls } from "../../services/callReplay";

/**
 * Portal procedures of the operations area. Thin: roles here, rules in the
 * services (which the REST API calls too). Users read the phonebook, the
 * board and their own calls; admins change configuration; forwarding and
 * agent actions check the owner inside the service.
 */

export const actorOf = (user: SessionUser): Actor => ({ kind: "user", userId: user.id, role: user.role });
const byId = z.object({ id: z.string().min(1) });

export const phonebookRouter = createTRPCRouter({
  list: protectedProcedure.input(contactListQuerySchema).query(({ ctx, input }) => listContacts(ctx.db, input)),
  get: protectedProcedure.input(byId).query(({ ctx, input }) => getContact(ctx.db, input.id)),
  create: adminProcedure.input(contactInputSchema).mutation(({ ctx, input }) => createContact(ctx.db, input)),
  update: adminProcedure
    .input(z.object({ id: z.string().min(1), version: z.int().positive(), data: contactInputSchema }))
    .mutation(({ ctx, input }) => updateContact(ctx.db, input.id, input.data, { ifVersion: input.version })),
  delete: adminProcedure
    .input(z.object({ id: z.string().min(1), version: z.int().positive().optional() }))
    .mutation(({ ctx, input }) => deleteContact(ctx.db, input.id, { ifVersion: input.version })),
  /** The file's text; size and row caps are the service's. */
  previewImport: adminProcedure.input(z.object({ csv: z.string() })).mutation(({ ctx, input }) => importContactsCsv(ctx.db, input.csv, { dryRun: true })),
  import: adminProcedure.input(z.object({ csv: z.string() })).mutation(({ ctx, input }) => importContactsCsv(ctx.db, input.csv, { dryRun: false })),
});

const ruleOrNone = forwardingRuleInputSchema.nullable();
const etagOrNone = z.string().max(100).nullable().optional();

export const forwardingRouter = createTRPCRouter({
  overview: protectedProcedure.query(({ ctx }) => forwardingOverview(ctx.db, actorOf(ctx.user))),
  get: protectedProcedure.input(z.object({ extension: extensionNumberSchema })).query(({ ctx, input }) => getForwarding(ctx.db, actorOf(ctx.user), input.extension)),
  save: protectedProcedure
    .input(
      z.object({
        extension: extensionNumberSchema,
        rules: z.object({ unconditional: ruleOrNone, busy: ruleOrNone, no_answer: ruleOrNone }),
        etags: z.object({ unconditional: etagOrNone, busy: etagOrNone, no_answer: etagOrNone }).default({}),
      }),
    )
    .mutation(({ ctx, input }) => saveForwarding(ctx.db, actorOf(ctx.user), input.extension, input.rules, input.etags)),
});

export const callCentreRouter = createTRPCRouter({
  /** The live board's first paint; updates arrive over /api/operations/agents/stream. */
  board: protectedProcedure.query(async ({ ctx }) => ({
    agents: await agentBoard(ctx.db, await liveAgentStates(ctx.db)),
    myAgentId: await agentIdOfUser(ctx.db, ctx.user.id),
  })),
  action: protectedProcedure.input(agentActionSchema).mutation(({ ctx, input }) => onRuntime("agentAction", { actor: actorOf(ctx.user), action: input })),
  /** Admins see every agent; a user only themselves. */
  report: protectedProcedure.input(dailyReportQuerySchema).query(async ({ ctx, input }) => {
    if (ctx.user.role === "admin") return agentDailyReport(ctx.db, input, processClock().now());
    const own = await agentIdOfUser(ctx.db, ctx.user.id);
    if (!own) throw new ServiceError("forbidden", "Only agents have a time-in-state report", { messageKey: "operations.errors.notAnAgentYourself" });
    return agentDailyReport(ctx.db, { ...input, agent_id: own }, processClock().now());
  }),
  queues: adminProcedure.query(({ ctx }) => listQueues(ctx.db)),
  createQueue: adminProcedure.input(queueInputSchema).mutation(({ ctx, input }) => createQueue(ctx.db, input)),
  updateQueue: adminProcedure
    .input(z.object({ id: z.string().min(1), data: queueInputSchema }))
    .mutation(({ ctx, input }) => updateQueue(ctx.db, input.id, input.data)),
  deleteQueue: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteQueue(ctx.db, input.id)),
  people: adminProcedure.query(async ({ ctx }) =>
    (await listUsers(ctx.db)).map((u) => ({ id: u.id, name: `${u.firstName} ${u.lastName}`.trim(), email: u.email, extension: u.extension, agentId: u.agentId })),
  ),
  setAgent: adminProcedure
    .input(z.object({ userId: z.string().min(1), isAgent: z.boolean() }))
    .mutation(({ input }) => onRuntime("setUserIsAgent", input)),
});

export const callsRouter = createTRPCRouter({
  live: protectedProcedure.query(({ ctx }) => liveCallsFor(ctx.db, actorOf(ctx.user))),
  /** `callDirection` is the direction filter: tRPC's infinite queries add their own `direction` (paging) to the input. */
  history: protectedProcedure
    .input(cdrQuerySchema.omit({ direction: true }).extend({ callDirection: cdrQuerySchema.shape.direction, direction: z.enum(["forward", "backward"]).optional() }))
    .query(async ({ ctx, input }) => {
      const { callDirection, direction: _paging, ...query } = input;
      const page = await listCdrs(ctx.db, actorOf(ctx.user), { ...query, direction: callDirection });
      const callIds = page.items.map((c) => c.call_id);
      // Replays open the flow editor, which only admins may use.
      return { ...page, tracedCallIds: await callsWithTrace(ctx.db, callIds), replayFlows: ctx.user.role === "admin" ? await replayableCalls(ctx.db, callIds) : {} };
    }),
  trace: protectedProcedure.input(z.object({ callId: z.string().min(1) })).query(({ ctx, input }) => getCallTrace(ctx.db, actorOf(ctx.user), input.callId)),
  /** A call's trace with its flow, revision, caller and start time, for the flow editor's replay (admins: the editor is theirs). */
  replay: adminProcedure.input(z.object({ callId: z.string().min(1) })).query(({ ctx, input }) => getCallReplay(ctx.db, actorOf(ctx.user), input.callId)),
});
