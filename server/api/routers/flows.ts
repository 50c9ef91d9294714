import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import {
  createFlow,
  deleteFlow,
  getFlow,
  getRevision,
  listFlows,
  listRevisions,
  publishFlow,
  rollbackFlow,
  updateDraft,
  validateDocument,
} from "../../services/flows";
import { listExtensions } from "../../services/extensions";
import { listQueues } from "../../services/queues";
import { testFlow } from "../../scenarios/testFlow";
import { outboundApiOptions } from "../../services/outboundApis";
import { audioPromptOptions } from "../../services/audioPrompts";
import { listPhoneNumbers } from "../../services/phoneNumbers";

const flowId = z.object({ id: z.string().min(1) });
/** Documents are validated by parseFlowDocument in the service, which reports field paths. */
const document = z.unknown();

export const flowsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listFlows(ctx.db)),
  get: adminProcedure.input(flowId).query(({ ctx, input }) => getFlow(ctx.db, input.id)),
  create: adminProcedure.input(z.object({ document })).mutation(({ ctx, input }) => createFlow(ctx.db, input.document, ctx.user.id)),
  saveDraft: adminProcedure
    .input(z.object({ id: z.string().min(1), document, expectedVersion: z.number().int().positive().optional() }))
    .mutation(({ ctx, input }) => updateDraft(ctx.db, input.id, input.document, ctx.user.id, input.expectedVersion)),
  delete: adminProcedure.input(flowId).mutation(({ ctx, input }) => deleteFlow(ctx.db, input.id)),
  // A mutation, not a query: the document is too large for a URL.
  validate: adminProcedure
    .input(z.object({ id: z.string().min(1).optional(), document }))
    .mutation(({ ctx, input }) => validateDocument(ctx.db, input.document, input.id)),
  publish: adminProcedure.input(flowId).mutation(({ ctx, input }) => publishFlow(ctx.db, input.id, ctx.user.id)),
  revisions: adminProcedure.input(flowId).query(({ ctx, input }) => listRevisions(ctx.db, input.id)),
  revision: adminProcedure
    .input(z.object({ id: z.string().min(1), revision: z.number().int().positive() }))
    .query(({ ctx, input }) => getRevision(ctx.db, input.id, input.revision)),
  rollback: adminProcedure
    .input(z.object({ id: z.string().min(1), revision: z.number().int().positive() }))
    .mutation(({ ctx, input }) => rollbackFlow(ctx.db, input.id, input.revision, ctx.user.id)),
  /** Runs the draft's saved test scenarios against the simulated PBX. */
  runScenarios: adminProcedure
    .input(z.object({ id: z.string().min(1), /** Only the scenario at this index of the draft's list. */ scenario: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => testFlow(ctx.db, input.id, { scenario: input.scenario })),
  /** What the inspector's pickers offer: extensions, queues, other flows, outbound APIs. */
  pickerOptions: adminProcedure.query(async ({ ctx }) => ({
    extensions: (await listExtensions(ctx.db)).map((e) => ({ id: e.number, label: `${e.number} · ${e.name}` })),
    queues: (await listQueues(ctx.db)).map((q) => ({ id: q.id, label: q.name })),
    flows: (await listFlows(ctx.db)).map((f) => ({ id: f.id, label: f.name })),
    outboundApis: await outboundApiOptions(ctx.db),
    audioPrompts: await audioPromptOptions(ctx.db),
    /** The organisation's DIDs, for test calls and scenarios (the flow answering each, if any). */
    phoneNumbers: (await listPhoneNumbers(ctx.db)).map((n) => ({ id: n.number, label: n.label ? `${n.number} · ${n.label}` : n.number, flowId: n.flowId })),
  })),
});
