import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { getFlow, validateDocument } from "../../services/flows";
import { ServiceError } from "../../services/errors";
import { onRuntime } from "../../runtime/callRouting";
import { toE164 } from "@/lib/phone";
import { getConfig } from "../../config";

const callId = z.object({ callId: z.string().min(1) });

/** Test calls from the flow editor: they run the flow's current draft in a sandbox (see server/runtime/testCalls.ts). */
export const testCallsRouter = createTRPCRouter({
  start: adminProcedure
    .input(
      z.object({
        flowId: z.string().min(1),
        callerNumber: z.string().trim().min(2).max(32),
        calledNumber: z.string().trim().min(2).max(32),
        at: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { draft } = await getFlow(ctx.db, input.flowId);
      // A draft still being filled in would only fail in the middle of the call: say so up front.
      const validation = await validateDocument(ctx.db, draft, input.flowId);
      if (!validation.valid) {
        throw new ServiceError("invalid", `Fix the flow's ${validation.errors.length} error(s) before a test call: ${validation.errors[0].message}`, {
          messageKey: "errors.flowInvalid",
        });
      }
      const region = getConfig().DEFAULT_REGION;
      // Extensions stay as typed; anything else is normalised like a real caller's number.
      const normalise = (n: string) => (/^\d{2,6}$/.test(n) ? n : (toE164(n, region) ?? n));
      return onRuntime("testCallStart", {
        flowId: input.flowId,
        document: draft,
        callerNumber: normalise(input.callerNumber),
        calledNumber: normalise(input.calledNumber),
        at: input.at,
      });
    }),
  state: adminProcedure.input(callId).query(async ({ input }) => {
    const state = await onRuntime("testCallState", input);
    if (!state) throw new TRPCError({ code: "NOT_FOUND", message: "This test call is no longer available" });
    return state;
  }),
  dtmf: adminProcedure
    .input(z.object({ callId: z.string().min(1), digits: z.string().regex(/^[0-9*#]{1,20}$/) }))
    .mutation(({ input }) => onRuntime("testCallDtmf", input)),
  answer: adminProcedure
    .input(z.object({ callId: z.string().min(1), extension: z.string().regex(/^\d{2,6}$/) }))
    .mutation(({ input }) => onRuntime("testCallAnswer", input)),
  hangup: adminProcedure.input(callId).mutation(({ input }) => onRuntime("testCallHangup", input)),
});
