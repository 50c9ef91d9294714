import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import {
  deliveryFilterSchema,
  outboundApiInputSchema,
  responseMappingSchema,
  rotateGraceSchema,
  technicalUserInputSchema,
  technicalUserRotateSchema,
} from "@/lib/schemas/integration";
import { apiScopes } from "@/lib/scopes";
import {
  createTechnicalUser,
  listTechnicalUsers,
  revokeTechnicalUser,
  rotateTechnicalUserSecret,
  updateTechnicalUser,
} from "../../services/technicalUsers";
import {
  createOutboundApi,
  deleteOutboundApi,
  getOutboundApi,
  listOutboundApis,
  listPresets,
  previewResponseMapping,
  rotateSigningSecret,
  setOutboundApiEnabled,
  testOutboundApi,
  loadOutboundApiUsers,
  updateOutboundApi,
} from "../../services/outboundApis";
import { endpointHealth, getDelivery, listDeliveries, resendDelivery, resendFailedSince } from "../../services/deliveries";

const byId = z.object({ id: z.string().min(1) });

/** The API-access page: technical users, outbound APIs, the delivery log. Admins only, every procedure. */
export const integrationRouter = createTRPCRouter({
  technicalUsers: createTRPCRouter({
    list: adminProcedure.query(({ ctx }) => listTechnicalUsers(ctx.db)),
    /** The only response that carries the client secret. */
    create: adminProcedure.input(technicalUserInputSchema).mutation(({ ctx, input }) => createTechnicalUser(ctx.db, input)),
    update: adminProcedure
      .input(z.object({ id: z.string().min(1), data: technicalUserInputSchema.extend({ scopes: z.array(z.enum(apiScopes)).min(1) }) }))
      .mutation(({ ctx, input }) => updateTechnicalUser(ctx.db, input.id, input.data)),
    rotate: adminProcedure.input(technicalUserRotateSchema).mutation(({ ctx, input }) => rotateTechnicalUserSecret(ctx.db, input)),
    revoke: adminProcedure.input(byId).mutation(({ ctx, input }) => revokeTechnicalUser(ctx.db, input.id)),
  }),
  outboundApis: createTRPCRouter({
    list: adminProcedure.query(({ ctx }) => listOutboundApis(ctx.db)),
    get: adminProcedure.input(byId).query(({ ctx, input }) => getOutboundApi(ctx.db, input.id)),
    presets: adminProcedure.query(() => listPresets()),
    /** Returns the `whsec_` signing secret this once. */
    create: adminProcedure.input(outboundApiInputSchema).mutation(({ ctx, input }) => createOutboundApi(ctx.db, input)),
    update: adminProcedure
      .input(z.object({ id: z.string().min(1), data: outboundApiInputSchema }))
      .mutation(({ ctx, input }) => updateOutboundApi(ctx.db, input.id, input.data)),
    setEnabled: adminProcedure
      .input(z.object({ id: z.string().min(1), enabled: z.boolean() }))
      .mutation(({ ctx, input }) => setOutboundApiEnabled(ctx.db, input.id, input.enabled)),
    delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteOutboundApi(ctx.db, input.id)),
    rotateSigningSecret: adminProcedure.input(rotateGraceSchema).mutation(({ ctx, input }) => rotateSigningSecret(ctx.db, input)),
    test: adminProcedure
      .input(byId.extend({ caller_number: z.string().max(32).optional() }))
      .mutation(({ ctx, input }) => testOutboundApi(ctx.db, input.id, { callerNumber: input.caller_number })),
    loadUsers: adminProcedure.input(byId).mutation(({ ctx, input }) => loadOutboundApiUsers(ctx.db, input.id)),
    previewMapping: adminProcedure
      .input(z.object({ mapping: responseMappingSchema, sample: z.string().max(64 * 1024) }))
      .query(({ input }) => previewResponseMapping(input)),
  }),
  deliveries: createTRPCRouter({
    list: adminProcedure.input(deliveryFilterSchema).query(({ ctx, input }) => listDeliveries(ctx.db, input)),
    get: adminProcedure.input(byId).query(({ ctx, input }) => getDelivery(ctx.db, input.id)),
    resend: adminProcedure.input(byId).mutation(({ ctx, input }) => resendDelivery(ctx.db, input.id)),
    resendFailedSince: adminProcedure
      .input(z.object({ since: z.iso.datetime({ offset: true }), outbound_api_id: z.string().min(1).optional() }))
      .mutation(({ ctx, input }) => resendFailedSince(ctx.db, input)),
    health: adminProcedure.query(({ ctx }) => endpointHealth(ctx.db)),
  }),
});
