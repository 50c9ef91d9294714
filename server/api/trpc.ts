/**
 * The portal's tRPC setup, in one place: the context (database + signed-in
 * user), how service errors become tRPC errors, and the three procedure
 * levels. `adminProcedure` is the server-side rule for every configuration
 * change; the UI only hides what this already forbids.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type Db } from "../db/client";
import { getSessionUser, type SessionUser } from "../auth/options";
import { ServiceError, type ServiceErrorCode } from "../services/errors";

export interface TrpcContext {
  db: Db;
  user: SessionUser | null;
}

export async function createTrpcContext(): Promise<TrpcContext> {
  return { db: getDb(), user: await getSessionUser() };
}

const trpcCodes: Record<ServiceErrorCode, TRPCError["code"]> = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  forbidden: "FORBIDDEN",
  precondition_failed: "PRECONDITION_FAILED",
};

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field-level details the forms show next to the right input, in the user's language.
        field: cause instanceof ServiceError ? (cause.options.field ?? null) : null,
        messageKey: cause instanceof ServiceError ? (cause.options.messageKey ?? null) : null,
        issues: cause instanceof ZodError ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

/** Turns expected service failures into typed tRPC errors; anything else stays a 500. */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof ServiceError) throw new TRPCError({ code: trpcCodes[cause.code], message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: "BAD_REQUEST", message: "Invalid input", cause });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(serviceErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Only admins may change configuration" });
  return next({ ctx });
});
