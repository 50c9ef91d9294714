import { getTranslations } from "next-intl/server";
import { Construction } from "lucide-react";
import { Card, PageHeader } from "../ui/PageHeader";

/** Pages that exist in the navigation but are not built yet say so plainly. */
export async function NotBuilt({ titleKey, textKey }: { titleKey: string; textKey: string }) {
  const nav = await getTranslations("nav");
  const t = await getTranslations("placeholder");
  return (
    <>
      <PageHeader title={nav(titleKey)} />
      <Card className="flex items-start gap-4 p-6">
        <Construction aria-hidden className="mt-0.5 h-6 w-6 shrink-0 text-amber-500" />
        <div>
          <h2 className="font-medium text-slate-900">{t("notBuilt")}</h2>
          <p className="mt-1 text-sm text-slate-600">{t(textKey)}</p>
        </div>
      </Card>
    </>
  );
}
