import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { getConfig } from "../../config";
import { audioDirOf, deleteAudioPrompt, flowsUsingAudioPrompt, listAudioPrompts, renameAudioPrompt } from "../../services/audioPrompts";

const id = z.string().min(1).max(100);

/** The audio prompt library (uploads go over POST /api/audio-prompts: tRPC has no multipart). */
export const audioPromptsRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listAudioPrompts(ctx.db)),
  rename: adminProcedure
    .input(z.object({ id, name: z.string().max(100) }))
    .mutation(({ ctx, input }) => renameAudioPrompt(ctx.db, input.id, input.name)),
  /** Which flows play it (draft or published), so the library can say why it cannot be deleted. */
  usage: adminProcedure.input(z.object({ id })).query(({ ctx, input }) => flowsUsingAudioPrompt(ctx.db, input.id)),
  delete: adminProcedure.input(z.object({ id })).mutation(({ ctx, input }) => deleteAudioPrompt(ctx.db, audioDirOf(getConfig().dataDir), input.id)),
});
