import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { CircleCheck, CircleDashed } from "lucide-react";
import { requireUser } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { listExtensions } from "@/server/services/extensions";
import { listFlows } from "@/server/services/flows";
import { listPhoneNumbers } from "@/server/services/phoneNumbers";
import { Card, PageHeader } from "@/components/ui/PageHeader";
import { Overview } from "@/components/overview/Overview";

/** "Is everything working?": calls, agents, CRM hooks (admins) and the newest calls; the first steps while something is still missing. */
export default async function Dashboard() {
  const user = await requireUser();
  const t = await getTranslations("dashboard");
  let steps: Array<{ text: string; href: string; done: boolean }> = [];
  if (user.role === "admin") {
    const db = getDb();
    steps = [
      { text: t("stepNumbers"), href: "/numbers", done: (await listPhoneNumbers(db)).some((number) => number.flowId !== null) },
      { text: t("stepExtensions"), href: "/extensions", done: (await listExtensions(db)).length > 0 },
      { text: t("stepFlows"), href: "/flows", done: (await listFlows(db)).length > 0 },
    ];
  }
  return (
    <>
      <PageHeader title={t("welcome", { name: user.name })} intro={t("intro")} />
      {steps.some((step) => !step.done) ? (
        <Card className="mb-4 p-5">
          <h2 className="font-medium">{t("nextSteps")}</h2>
          <ol className="mt-3 space-y-2 text-sm">
            {steps.map((step) => (
              <li key={step.href} className="flex items-center gap-2">
                {step.done ? <CircleCheck aria-hidden className="h-4 w-4 text-emerald-600" /> : <CircleDashed aria-hidden className="h-4 w-4 text-slate-400" />}
                <Link href={step.href} className={step.done ? "text-slate-500 line-through" : "text-brand-700 hover:underline"}>
                  {step.text}
                </Link>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
      <Overview isAdmin={user.role === "admin"} />
    </>
  );
}
