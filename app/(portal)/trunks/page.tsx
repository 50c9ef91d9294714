import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { SipTrunksPanel } from "@/components/telephony/SipTrunksPanel";

export default async function SipTrunksPage() {
  await requireAdmin();
  const t = await getTranslations("sipTrunks");
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <SipTrunksPanel />
    </>
  );
}
