import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { PageTabs } from "@/components/ui/PageTabs";
import { TechnicalUsersPanel } from "@/components/integration/TechnicalUsersPanel";
import { OutboundApisPanel } from "@/components/integration/OutboundApisPanel";
import { DeliveryLog } from "@/components/integration/DeliveryLog";
import { deliveryStatuses } from "@/server/db/schema";
import { HealthBanners } from "@/components/integration/HealthBanners";

const tabs = ["apis", "users", "log"] as const;

/** API access (admins only: others get a real 403): outbound APIs to the CRM, technical users for the CRM's calls, the delivery log. */
export default async function ApiAccessPage({ searchParams }: { searchParams: Promise<{ tab?: string; api?: string; status?: string }> }) {
  await requireAdmin();
  const t = await getTranslations("integration");
  const query = await searchParams;
  const tab = tabs.find((id) => id === query.tab) ?? "apis";
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <HealthBanners />
      <PageTabs tabs={tabs.map((id) => ({ id, label: t(`tabs.${id}`), href: `/api-access?tab=${id}` }))} current={tab} />
      {tab === "users" ? <TechnicalUsersPanel /> : tab === "log" ? <DeliveryLog initialFilter={{ outbound_api_id: query.api || undefined, status: deliveryStatuses.find((status) => status === query.status) }} /> : <OutboundApisPanel />}
    </>
  );
}
