import { forbidden, redirect } from "next/navigation";
import { getSessionUser, type SessionUser } from "./options";
import { getDb } from "../db/client";
import { needsFirstAdmin } from "../services/setup";

/** Page guard: signed-in user or a redirect to the first-run page / sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (user) return user;
  redirect(await needsFirstAdmin(getDb()) ? "/setup" : "/login");
}

/** Page guard for configuration pages: a signed-in non-admin gets a real 403 response. */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser();
  if (user.role !== "admin") forbidden();
  return user;
}
