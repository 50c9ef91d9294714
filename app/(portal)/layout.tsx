import type { ReactNode } from "react";
import { getTranslations } from "next-intl/server";
import { PhoneForwarded } from "lucide-react";
import { requireUser } from "@/server/auth/guards";
import { Sidebar } from "@/components/shell/Sidebar";
import { LanguageSwitch } from "@/components/shell/LanguageSwitch";
import { SignOutButton } from "@/components/shell/SignOutButton";
import { getDb } from "@/server/db/client";
import { getSetting } from "@/server/services/settings";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const t = await getTranslations("nav");
  const organisation = getSetting<string>(getDb(), "organisation_name");
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-64 shrink-0 flex-col border-r border-slate-200 bg-white px-4 py-5 md:flex">
        <div className="mb-6 flex items-center gap-2 px-2">
          <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-brand-600 text-white">
            <PhoneForwarded aria-hidden className="h-4 w-4" />
          </span>
          <div>
            <div className="text-sm font-semibold">Switchboard</div>
            {organisation ? <div className="text-xs text-slate-500">{organisation}</div> : null}
          </div>
        </div>
        <Sidebar role={user.role} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <LanguageSwitch signedIn />
          <span className="text-sm text-slate-600">
            {t("signedInAs", { name: user.name })} · {user.role === "admin" ? t("roleAdmin") : t("roleUser")}
          </span>
          <SignOutButton />
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">{children}</main>
      </div>
    </div>
  );
}
