import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { liveAgentStates } from "../../live/liveState";
import { overviewQuerySchema } from "@/lib/schemas/operations";
import { activityOverview, hookOverview } from "../../services/overview";
import { actorOf } from "./operations";

/**
 * The home page. Calls and agents are for everyone signed in (calls scoped
 * like the call history); the CRM hooks' health is configuration, for admins.
 */
export const overviewRouter = createTRPCRouter({
  activity: protectedProcedure
    .input(overviewQuerySchema)
    .query(async ({ ctx, input }) => activityOverview(ctx.db, actorOf(ctx.user), { timeZone: input.timeZone, agents: await liveAgentStates(ctx.db) })),
  hooks: adminProcedure.query(({ ctx }) => hookOverview(ctx.db)),
});
