import { adminProcedure, createTRPCRouter } from "../trpc";
import { installationSettingsSchema } from "@/lib/schemas/settings";
import { getInstallationSettings, updateInstallationSettings } from "../../services/settings";

/** The Settings page: installation-wide, so admins only (also to read). */
export const settingsRouter = createTRPCRouter({
  get: adminProcedure.query(({ ctx }) => getInstallationSettings(ctx.db)),
  update: adminProcedure.input(installationSettingsSchema).mutation(({ ctx, input }) => updateInstallationSettings(ctx.db, input)),
});
