import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { PageTabs } from "@/components/ui/PageTabs";
import { AgentBoard } from "@/components/operations/AgentBoard";
import { StatusReport } from "@/components/operations/StatusReport";
import { QueuesPanel } from "@/components/operations/QueuesPanel";
import { AgentsPanel } from "@/components/operations/AgentsPanel";

const adminTabs = new Set(["queues", "agents"]);

export default async function CallCentrePage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  const user = await requireUser();
  const isAdmin = user.role === "admin";
  const t = await getTranslations("operations.callCentre");
  const requested = (await searchParams).tab ?? "board";
  const tabs = ["board", "report", ...(isAdmin ? ["queues", "agents"] : [])];
  // Queues and agents are configuration: a plain user asking for them sees the board (the server refuses their data anyway).
  const tab = tabs.includes(requested) && (isAdmin || !adminTabs.has(requested)) ? requested : "board";
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      <PageTabs tabs={tabs.map((id) => ({ id, label: t(`tabs.${id}`), href: id === "board" ? "/call-centre" : `/call-centre?tab=${id}` }))} current={tab} />
      {tab === "board" ? <AgentBoard isAdmin={isAdmin} /> : null}
      {tab === "report" ? <StatusReport isAdmin={isAdmin} /> : null}
      {tab === "queues" ? <QueuesPanel /> : null}
      {tab === "agents" ? <AgentsPanel /> : null}
    </>
  );
}
