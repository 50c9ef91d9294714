import type { ReactNode } from "react";
import { getTranslations } from "next-intl/server";
import { PhoneForwarded } from "lucide-react";
import { requireUser } from "@/server/auth/guards";
import { Sidebar } from "@/components/shell/Sidebar";
import { LanguageSwitch } from "@/components/shell/LanguageSwitch";
import { SignOutButton } from "@/components/shell/SignOutButton";
import { MobileNav } from "@/components/shell/MobileNav";
import { getDb } from "@/server/db/client";
import { getSetting } from "@/server/services/settings";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const t = await getTranslations("nav");
  const organisation = await getSetting<string>(getDb(), "organisation_name");
  const brand = (
    <div className="flex items-center gap-2 px-2">
      <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-brand-600 text-white">
        <PhoneForwarded aria-hidden className="h-4 w-4" />
      </span>
      <div>
        <div className="text-sm font-semibold">Switchboard</div>
        {organisation ? <div className="text-xs text-slate-500">{organisation}</div> : null}
      </div>
    </div>
  );
  const signedInAs = `${t("signedInAs", { name: user.name })} · ${user.role === "admin" ? t("roleAdmin") : t("roleUser")}`;
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-64 shrink-0 flex-col gap-6 border-r border-slate-200 bg-white px-4 py-5 md:flex">
        {brand}
        <Sidebar role={user.role} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-4 py-3 md:justify-end md:px-6">
          <MobileNav>
            {brand}
            <Sidebar role={user.role} />
            <div className="mt-auto flex flex-col items-start gap-3 border-t border-slate-200 pt-4">
              <span className="text-sm text-slate-600">{signedInAs}</span>
              <LanguageSwitch signedIn />
              <SignOutButton />
            </div>
          </MobileNav>
          <div className="hidden items-center gap-4 md:flex">
            <LanguageSwitch signedIn />
            <span className="text-sm text-slate-600">{signedInAs}</span>
            <SignOutButton />
          </div>
        </header>
        <main className="mx-auto w-full max-w-6xl min-w-0 flex-1 px-4 py-6 md:px-6 md:py-8">{children}</main>
      </div>
    </div>
  );
}
