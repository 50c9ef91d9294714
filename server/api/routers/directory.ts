import { z } from "zod";
import { adminProcedure, createTRPCRouter, protectedProcedure } from "../trpc";
import { extensionInputSchema, phoneNumberInputSchema, userCreateSchema, userUpdateSchema } from "@/lib/schemas/directory";
import { createUser, deleteUser, listUsers, updateUser } from "../../services/users";
import { createExtension, deleteExtension, listExtensions, updateExtension } from "../../services/extensions";
import { generateSipPassword, sipCredentialStatus } from "../../services/sipCredentials";
import { createPhoneNumber, deletePhoneNumber, listPhoneNumbers, updatePhoneNumber } from "../../services/phoneNumbers";

const byId = z.object({ id: z.string().min(1) });

export const usersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure.input(userCreateSchema).mutation(({ ctx, input }) => createUser(ctx.db, input)),
  update: adminProcedure.input(userUpdateSchema).mutation(({ ctx, input }) => updateUser(ctx.db, input, ctx.user.id)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteUser(ctx.db, input.id, ctx.user.id)),
});

export const extensionsRouter = createTRPCRouter({
  // Users see the extension list (who is who); only admins change it.
  list: protectedProcedure.query(({ ctx }) => listExtensions(ctx.db)),
  create: adminProcedure.input(extensionInputSchema).mutation(({ ctx, input }) => createExtension(ctx.db, input)),
  /** Whether the extension has a SIP password for a real phone (never the password itself). */
  sipCredentials: adminProcedure.input(byId).query(({ ctx, input }) => sipCredentialStatus(ctx.db, input.id)),
  /** Generates or rotates the SIP password; the response is the only time it can be read. */
  rotateSipPassword: adminProcedure.input(byId).mutation(({ ctx, input }) => generateSipPassword(ctx.db, input.id)),
  update: adminProcedure
    .input(z.object({ id: z.string().min(1), data: extensionInputSchema }))
    .mutation(({ ctx, input }) => updateExtension(ctx.db, input.id, input.data)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteExtension(ctx.db, input.id)),
});

export const phoneNumbersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) => listPhoneNumbers(ctx.db)),
  create: adminProcedure.input(phoneNumberInputSchema).mutation(({ ctx, input }) => createPhoneNumber(ctx.db, input)),
  update: adminProcedure
    .input(z.object({ id: z.string().min(1), data: phoneNumberInputSchema }))
    .mutation(({ ctx, input }) => updatePhoneNumber(ctx.db, input.id, input.data)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deletePhoneNumber(ctx.db, input.id)),
});
