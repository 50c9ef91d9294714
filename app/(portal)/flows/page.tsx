import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { FlowList } from "@/components/flow-editor/list/FlowList";

export default async function FlowsPage() {
  await requireAdmin();
  const t = await getTranslations("editor.list");
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <FlowList />
    </>
  );
}
