import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { SettingsPanel } from "@/components/settings/SettingsForm";

export default async function SettingsPage() {
  await requireAdmin();
  const t = await getTranslations("settings");
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <SettingsPanel />
    </>
  );
}
