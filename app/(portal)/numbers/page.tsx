import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { NumbersPanel } from "@/components/directory/NumbersPanel";

export default async function NumbersPage() {
  await requireAdmin();
  const t = await getTranslations("numbers");
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <NumbersPanel />
    </>
  );
}
