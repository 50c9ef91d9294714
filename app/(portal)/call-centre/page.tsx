import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
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
      <div className="mb-4 flex gap-1 border-b border-slate-200" role="tablist">
        {tabs.map((id) => (
          <Link
            key={id}
            href={id === "board" ? "/call-centre" : `/call-centre?tab=${id}`}
            role="tab"
            aria-selected={tab === id}
            className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${
              tab === id ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
            }`}
          >
            {t(`tabs.${id}`)}
          </Link>
        ))}
      </div>
      {tab === "board" ? <AgentBoard isAdmin={isAdmin} /> : null}
      {tab === "report" ? <StatusReport isAdmin={isAdmin} /> : null}
      {tab === "queues" ? <QueuesPanel /> : null}
      {tab === "agents" ? <AgentsPanel /> : null}
    </>
  );
}
