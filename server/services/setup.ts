import { and, count, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { users } from "../db/schema";
import { hashSecret } from "../auth/passwords";
import { newId } from "@/lib/ids";
import { firstAdminSchema, type FirstAdminInput } from "@/lib/schemas/directory";
import { ServiceError } from "./errors";
import { setSetting, settingKeys } from "./settings";

/** An install needs its first-run page until an admin who can sign in exists (demo users have no password). */
export async function needsFirstAdmin(db: Db): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNotNull(users.passwordHash)));
  return row!.n === 0;
}

export async function createFirstAdmin(db: Db, input: FirstAdminInput): Promise<{ id: string }> {
  const data = firstAdminSchema.parse(input);
  const passwordHash = await hashSecret(data.password);
  const id = newId("user");
  // Check and insert in one transaction so two racing first-run forms cannot both create an admin.
  await transaction(db, async (tx) => {
    if (!(await needsFirstAdmin(tx))) {
      throw new ServiceError("forbidden", "Switchboard is already set up", { messageKey: "errors.alreadySetUp" });
    }
    await tx
      .insert(users)
      .values({ id, email: data.email, firstName: data.firstName, lastName: data.lastName, role: "admin", passwordHash, locale: data.locale });
    await setSetting(tx, settingKeys.organisationName, data.organisation);
    // The first admin's language is the installation's default for the users they create next.
    await setSetting(tx, settingKeys.defaultLocale, data.locale);
  });
  return { id };
}
