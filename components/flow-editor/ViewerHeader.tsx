"use client";
/** The header of the editor's read-only views (a replayed call, a phone-sized screen): back to the list, the flow's name, what this view is, language. */
import type { ReactNode } from "react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { ArrowLeft } from "lucide-react";
import { LanguageSwitch } from "../shell/LanguageSwitch";

export function ViewerHeader({ name, subtitle }: { name: string; subtitle: ReactNode }) {
  const t = useTranslations("editor.topBar");
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-3">
      <Link href="/flows" className="flex items-center gap-1 rounded-md p-2 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900" aria-label={t("back")}>
        <ArrowLeft aria-hidden className="h-4 w-4" />
      </Link>
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-sm font-semibold text-slate-900">{name || t("untitled")}</h1>
        <p className="flex items-center gap-1 text-[11px] text-slate-500">{subtitle}</p>
      </div>
      <LanguageSwitch signedIn />
    </header>
  );
}
