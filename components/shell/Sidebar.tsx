"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { BookUser, Cable, Headset, KeyRound, LayoutDashboard, PhoneCall, PhoneIncoming, Settings, Users, Workflow } from "lucide-react";
import type { Role } from "@/lib/schemas/directory";

const items = [
  { href: "/", key: "dashboard", icon: LayoutDashboard, adminOnly: false },
  { href: "/flows", key: "flows", icon: Workflow, adminOnly: true },
  { href: "/numbers", key: "numbers", icon: PhoneIncoming, adminOnly: true },
  { href: "/trunks", key: "trunks", icon: Cable, adminOnly: true },
  { href: "/extensions", key: "extensions", icon: Users, adminOnly: false },
  { href: "/phonebook", key: "phonebook", icon: BookUser, adminOnly: false },
  { href: "/call-centre", key: "callCentre", icon: Headset, adminOnly: false },
  { href: "/calls", key: "calls", icon: PhoneCall, adminOnly: false },
  { href: "/api-access", key: "apiAccess", icon: KeyRound, adminOnly: true },
  { href: "/settings", key: "settings", icon: Settings, adminOnly: true },
] as const;

export function Sidebar({ role }: { role: Role }) {
  const t = useTranslations("nav");
  const pathname = usePathname();
  return (
    <nav aria-label={t("mainNavigation")} className="flex flex-col gap-1">
      {items
        .filter((item) => role === "admin" || !item.adminOnly)
        .map(({ href, key, icon: Icon }) => {
          const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
          return (
            <Link
              key={href}
              href={href}
              aria-current={active ? "page" : undefined}
              className={`flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium ${
                active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"
              }`}
            >
              <Icon aria-hidden className="h-4 w-4" />
              {t(key)}
            </Link>
          );
        })}
    </nav>
  );
}
