"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { Menu, X } from "lucide-react";
import { useInertOutside } from "../ui/useInertOutside";

/**
 * Below `md` the sidebar is hidden; this menu button opens the same links
 * (and whatever the layout passes: language, sign-out) in a drawer.
 * It closes when a link in it is followed, on Escape and on the backdrop;
 * while open, the rest of the page is inert.
 */
export function MobileNav({ children }: { children: ReactNode }) {
  const t = useTranslations("nav");
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);

  // Focus goes back to the menu button when the drawer closes (after the drawer's inert attributes are gone).
  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) menuButton.current?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="md:hidden">
      <button
        ref={menuButton}
        type="button"
        aria-expanded={open}
        aria-controls="mobile-navigation"
        onClick={() => setOpen(true)}
        className="inline-flex items-center gap-2 rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100"
      >
        <Menu aria-hidden className="h-5 w-5" />
        {t("menu")}
      </button>
      {open ? (
        <Drawer label={t("menu")} closeLabel={t("closeMenu")} onClose={() => setOpen(false)}>
          {children}
        </Drawer>
      ) : null}
    </div>
  );
}

/** The open drawer: everything else on the page is inert while it is there, so Tab and screen readers stay inside. */
function Drawer({ label, closeLabel, onClose, children }: { label: string; closeLabel: string; onClose: () => void; children: ReactNode }) {
  const rootRef = useRef<HTMLDivElement>(null);
  useInertOutside(rootRef);
  return (
    <div ref={rootRef} className="fixed inset-0 z-50 flex">
      <button type="button" tabIndex={-1} aria-hidden className="absolute inset-0 bg-slate-900/40" onClick={onClose} />
      <div
        id="mobile-navigation"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        className="relative flex h-full w-72 max-w-[85vw] flex-col gap-4 overflow-y-auto bg-white px-4 py-5 shadow-xl"
        onClickCapture={(event) => {
          if ((event.target as Element).closest("a")) onClose();
        }}
      >
        <button type="button" onClick={onClose} className="self-end rounded-md p-1 text-slate-600 hover:bg-slate-100" aria-label={closeLabel} autoFocus>
          <X aria-hidden className="h-5 w-5" />
        </button>
        {children}
      </div>
    </div>
  );
}
