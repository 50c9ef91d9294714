import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { PageTabs } from "@/components/ui/PageTabs";
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
        <PageTabs tabs={tabs} current={tab} />
      ) : null}
      {tab === "users" ? <UsersPanel /> : <ExtensionsPanel isAdmin={isAdmin} />}
    </>
  );
}
