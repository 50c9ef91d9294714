import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { ExtensionsPanel } from "@/components/directory/ExtensionsPanel";
import { UsersPanel } from "@/components/directory/UsersPanel";

export default async function ExtensionsPage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  const user = await requireUser();
  const isAdmin = user.role === "admin";
  const t = await getTranslations("extensions");
  const tab = isAdmin && (await searchParams).tab === "users" ? "users" : "extensions";
  const tabs = [
    { id: "extensions", label: t("tabExtensions"), href: "/extensions" },
    ...(isAdmin ? [{ id: "users", label: t("tabUsers"), href: "/extensions?tab=users" }] : []),
  ];
  return (
    <>
      <PageHeader title={t("title")} intro={t("intro")} />
      {tabs.length > 1 ? (
        <div className="mb-4 flex gap-1 border-b border-slate-200" role="tablist">
          {tabs.map((item) => (
            <Link
              key={item.id}
              href={item.href}
              role="tab"
              aria-selected={tab === item.id}
              className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${
                tab === item.id ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
              }`}
            >
              {item.label}
            </Link>
          ))}
        </div>
      ) : null}
      {tab === "users" ? <UsersPanel /> : <ExtensionsPanel isAdmin={isAdmin} />}
    </>
  );
}
