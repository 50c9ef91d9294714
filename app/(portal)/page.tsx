import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { getDb } from "@/server/db/client";
import { listExtensions } from "@/server/services/extensions";
import { listPhoneNumbers } from "@/server/services/phoneNumbers";
import { countUsers } from "@/server/services/users";
import { Card, PageHeader } from "@/components/ui/PageHeader";

export default async function Dashboard() {
  const user = await requireUser();
  const t = await getTranslations("dashboard");
  const db = getDb();
  const stats = [
    { label: t("extensions"), value: listExtensions(db).length, href: "/extensions" },
    { label: t("numbers"), value: listPhoneNumbers(db).length, href: "/numbers" },
    { label: t("users"), value: countUsers(db), href: "/extensions?tab=users" },
  ];
  const steps = [
    { text: t("stepNumbers"), href: "/numbers" },
    { text: t("stepExtensions"), href: "/extensions" },
    { text: t("stepFlows"), href: "/flows" },
  ];
  return (
    <>
      <PageHeader title={t("welcome", { name: user.name })} intro={t("intro")} />
      <div className="grid gap-4 sm:grid-cols-3">
        {stats.map((s) => (
          <Card key={s.label} className="p-5">
            <div className="text-sm text-slate-500">{s.label}</div>
            <div className="mt-1 text-3xl font-semibold">{s.value}</div>
          </Card>
        ))}
      </div>
      {user.role === "admin" ? (
        <Card className="mt-6 p-5">
          <h2 className="font-medium">{t("nextSteps")}</h2>
          <ol className="mt-3 list-decimal space-y-2 pl-5 text-sm">
            {steps.map((s) => (
              <li key={s.href}>
                <Link href={s.href} className="text-brand-600 hover:underline">
                  {s.text}
                </Link>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
    </>
  );
}
