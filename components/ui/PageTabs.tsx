import Link from "next/link";

export interface PageTab {
  id: string;
  label: string;
  href: string;
}

/**
 * A page's tabs as links (the tab is in the URL, so it survives a reload and
 * can be shared). On a narrow screen the strip scrolls sideways on its own
 * instead of widening the page.
 */
export function PageTabs({ tabs, current }: { tabs: PageTab[]; current: string }) {
  return (
    // The bottom rule is an inset shadow, not a border: the active tab's underline is drawn over it inside the scroller.
    <div className="mb-4 flex gap-1 overflow-x-auto shadow-[inset_0_-1px_0_var(--color-slate-200)]" role="tablist">
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          href={tab.href}
          role="tab"
          aria-selected={tab.id === current}
          className={`shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap md:px-4 ${
            tab.id === current ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
          }`}
        >
          {tab.label}
        </Link>
      ))}
    </div>
  );
}
