"use client";
/** The right-hand panel's tabs: properties of the selection, problems, history, test call, saved scenarios. */
import { type ReactNode, useId } from "react";
import { useTranslations } from "next-intl";

export type SideTab = "properties" | "problems" | "history" | "test" | "scenarios";
const TABS: readonly SideTab[] = ["properties", "problems", "history", "test", "scenarios"];

export function SidePanel({
  tab,
  onTab,
  errorCount,
  warningCount,
  children,
}: {
  tab: SideTab;
  onTab: (tab: SideTab) => void;
  errorCount: number;
  warningCount: number;
  children: ReactNode;
}) {
  const t = useTranslations("editor.tabs");
  const id = useId();
  const badge = (item: SideTab) =>
    item !== "problems" || errorCount + warningCount === 0 ? null : (
      <span className={`ml-1 rounded-full px-1.5 text-[10px] font-semibold ${errorCount > 0 ? "bg-red-100 text-red-700" : "bg-amber-100 text-amber-800"}`}>
        {errorCount > 0 ? errorCount : warningCount}
      </span>
    );
  return (
    <aside className="flex h-full w-[26rem] shrink-0 flex-col border-l border-slate-200 bg-white">
      <div role="tablist" aria-label={t("label")} className="flex border-b border-slate-200 px-1">
        {TABS.map((item) => (
          <button
            key={item}
            type="button"
            role="tab"
            id={`${id}-${item}`}
            aria-selected={tab === item}
            aria-controls={`${id}-panel`}
            onClick={() => onTab(item)}
            className={`-mb-px flex flex-1 items-center justify-center border-b-2 px-1 py-2.5 text-xs font-medium whitespace-nowrap ${
              tab === item ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
            }`}
          >
            {t(item)}
            {badge(item)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${tab}`} className="flex-1 overflow-y-auto p-4">
        {children}
      </div>
    </aside>
  );
}
