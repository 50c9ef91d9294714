import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { sipTrunkInputSchema } from "@/lib/schemas/sipTrunks";
import { createSipTrunk, deleteSipTrunk, listSipTrunks, updateSipTrunk } from "../../services/sipTrunks";
import { sipServerAddress } from "../../services/sipServer";

const byId = z.object({ id: z.string().min(1) });

/** SIP trunks (admins only, also to read: they name the provider's addresses and accounts). Not in the public REST API. */
export const sipTrunksRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listSipTrunks(ctx.db)),
  create: adminProcedure.input(sipTrunkInputSchema).mutation(({ ctx, input }) => createSipTrunk(ctx.db, input)),
  update: adminProcedure
    .input(z.object({ id: z.string().min(1), data: sipTrunkInputSchema }))
    .mutation(({ ctx, input }) => updateSipTrunk(ctx.db, input.id, input.data)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteSipTrunk(ctx.db, input.id)),
  /** Where phones and trunks reach this server's SIP edge, or that it runs simulated telephony. */
  server: adminProcedure.query(() => sipServerAddress()),
});
