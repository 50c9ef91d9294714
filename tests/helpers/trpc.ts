import { TRPCError } from "@trpc/server";
import type { Db } from "@/server/db/client";
import type { SessionUser } from "@/server/auth/options";
import { createCaller } from "@/server/api/root";

/** A tRPC caller signed in with `role` (a made-up user), or signed out for null. */
export function callerAs(db: Db, role: SessionUser["role"] | null) {
  return createCaller({ db, user: role ? { id: "usr_test", name: "Test", email: "t@example.com", role, locale: null } : null });
}

/** The tRPC error code a call fails with (UNAUTHORIZED, FORBIDDEN…), or a message saying it did not fail that way. */
export async function trpcCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  return error instanceof TRPCError ? error.code : `no TRPCError: ${String(error)}`;
}
