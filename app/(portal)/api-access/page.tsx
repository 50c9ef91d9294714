import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { PageTabs } from "@/components/ui/PageTabs";
import { TechnicalUsersPanel } from "@/components/integration/TechnicalUsersPanel";
import { OutboundApisPanel } from "@/components/integration/OutboundApisPanel";
import { DeliveryLog } from "@/components/integration/DeliveryLog";
import { HealthBanners } from "@/components/integration/HealthBanners";

const tabs = ["apis", "users", "log"] as const;

/** API access (admins only: others get a real 403): outbound APIs to the CRM, technical users for the CRM's calls, the delivery log. */
export default async function ApiAccessPage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  await requireAdmin();
  const t = await getTranslations("integration");
  const requested = (await searchParams).tab;
  const tab = tabs.find((id) => id === requested) ?? "apis";
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <HealthBanners />
      <PageTabs tabs={tabs.map((id) => ({ id, label: t(`tabs.${id}`), href: `/api-access?tab=${id}` }))} current={tab} />
      {tab === "users" ? <TechnicalUsersPanel /> : tab === "log" ? <DeliveryLog /> : <OutboundApisPanel />}
    </>
  );
}
