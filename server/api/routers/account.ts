import { localeSchema, firstAdminSchema } from "@/lib/schemas/directory";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";
import { setUserLocale } from "../../services/users";
import { createFirstAdmin } from "../../services/setup";

export const accountRouter = createTRPCRouter({
  createFirstAdmin: publicProcedure.input(firstAdminSchema).mutation(({ ctx, input }) => createFirstAdmin(ctx.db, input)),
  setLocale: protectedProcedure.input(localeSchema).mutation(({ ctx, input }) => setUserLocale(ctx.db, ctx.user.id, input)),
});
