import { and, count, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { hashSecret } from "../auth/passwords";
import { newId } from "@/lib/ids";
import { firstAdminSchema, type FirstAdminInput } from "@/lib/schemas/directory";
import { ServiceError } from "./errors";
import { setSetting, settingKeys } from "./settings";

/** An install needs its first-run page until an admin who can sign in exists (demo users have no password). */
export function needsFirstAdmin(db: Db): boolean {
  const row = db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), isNotNull(users.passwordHash)))
    .get()!;
  return row.n === 0;
}

export async function createFirstAdmin(db: Db, input: FirstAdminInput): Promise<{ id: string }> {
  const data = firstAdminSchema.parse(input);
  const passwordHash = await hashSecret(data.password);
  const id = newId("user");
  // Check and insert in one transaction so two racing first-run forms cannot both create an admin.
  db.transaction((tx) => {
    if (!needsFirstAdmin(tx as unknown as Db)) {
      throw new ServiceError("forbidden", "Switchboard is already set up", { messageKey: "errors.alreadySetUp" });
    }
    tx.insert(users)
      .values({ id, email: data.email, firstName: data.firstName, lastName: data.lastName, role: "admin", passwordHash, locale: data.locale })
      .run();
    setSetting(tx as unknown as Db, settingKeys.organisationName, data.organisation);
    // The first admin's language is the installation's default for the users they create next.
    setSetting(tx as unknown as Db, settingKeys.defaultLocale, data.locale);
  });
  return { id };
}
