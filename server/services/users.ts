import { asc, count, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import { agents, users } from "../db/schema";
import { hashSecret } from "../auth/passwords";
import { newId } from "@/lib/ids";
import {
  userCreateSchema,
  userUpdateSchema,
  type Locale,
  type UserCreateInput,
  type UserUpdateInput,
} from "@/lib/schemas/directory";
import { ServiceError, isUniqueViolation, notFound } from "./errors";
import { getDefaultLocale } from "./settings";

export interface UserView {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: "admin" | "user";
  enabled: boolean;
  locale: Locale | null;
  extension: string | null;
  agentId: string | null;
}

const emailTaken = () => new ServiceError("conflict", "A user with this e-mail exists", { field: "email", messageKey: "errors.emailTaken" });

function userQuery(db: Db) {
  return db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      role: users.role,
      enabled: users.enabled,
      locale: users.locale,
      // A user may own several extensions; the lowest number is their primary one.
      // Table names spelled out: inside a correlated subquery, unqualified columns would bind to the inner table.
      extension: sql<string | null>`(select min(e.number) from extensions e where e.owner_user_id = "users"."id")`,
      agentId: agents.id,
    })
    .from(users)
    .leftJoin(agents, eq(agents.userId, users.id));
}

function userStatements(db: Db) {
  return {
    all: userQuery(db).orderBy(asc(users.firstName), asc(users.lastName)).prepare(),
    byId: userQuery(db).where(eq(users.id, sql.placeholder("id"))).prepare(),
  };
}

// The public API and the portal read users on every request: building and preparing the query each
// time cost more than running it, so each connection prepares them once.
const preparedUserQueries = new WeakMap<Db, ReturnType<typeof userStatements>>();

function statementsFor(db: Db): ReturnType<typeof userStatements> {
  let statements = preparedUserQueries.get(db);
  if (!statements) preparedUserQueries.set(db, (statements = userStatements(db)));
  return statements;
}

export async function listUsers(db: Db): Promise<UserView[]> {
  return statementsFor(db).all.execute();
}

export async function getUser(db: Db, id: string): Promise<UserView> {
  const [row] = await statementsFor(db).byId.execute({ id });
  if (!row) throw notFound("User", id);
  return row;
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row!.n;
}

/** Without an explicit language the user gets the installation's default (Settings), also from the CLI. */
export async function createUser(db: Db, input: UserCreateInput): Promise<UserView> {
  const data = userCreateSchema.parse(input);
  const id = newId("user");
  const passwordHash = await hashSecret(data.password);
  try {
    const locale = data.locale ?? (await getDefaultLocale(db));
    await db.insert(users).values({ id, email: data.email, firstName: data.firstName, lastName: data.lastName, role: data.role, passwordHash, locale });
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
  return getUser(db, id);
}

export async function updateUser(db: Db, input: UserUpdateInput, actingUserId: string): Promise<UserView> {
  const data = userUpdateSchema.parse(input);
  const current = await getUser(db, data.id);
  // An admin demoting or disabling themselves could lock everyone out of configuration.
  if (data.id === actingUserId && (data.role !== "admin" || !data.enabled) && current.role === "admin") {
    throw new ServiceError("invalid", "You cannot remove your own admin rights", { field: "role", messageKey: "errors.selfDemote" });
  }
  const passwordHash = data.password ? await hashSecret(data.password) : undefined;
  try {
    await db
      .update(users)
      .set({
        email: data.email,
        firstName: data.firstName,
        lastName: data.lastName,
        role: data.role,
        enabled: data.enabled,
        ...(passwordHash ? { passwordHash } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where(eq(users.id, data.id));
  } catch (error) {
    if (isUniqueViolation(error)) throw emailTaken();
    throw error;
  }
  return getUser(db, data.id);
}

export async function deleteUser(db: Db, id: string, actingUserId: string): Promise<void> {
  if (id === actingUserId) {
    throw new ServiceError("invalid", "You cannot delete your own account", { messageKey: "errors.selfDelete" });
  }
  const result = await db.delete(users).where(eq(users.id, id));
  if (affectedRows(result) === 0) throw notFound("User", id);
}

export async function setUserLocale(db: Db, id: string, locale: Locale): Promise<void> {
  await db.update(users).set({ locale }).where(eq(users.id, id));
}

/** For sign-in only: the one place that reads a password hash. */
export async function findUserForLogin(db: Db, email: string) {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, enabled: users.enabled, role: users.role })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1);
  return row;
}
