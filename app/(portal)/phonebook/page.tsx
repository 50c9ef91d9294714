import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { PhonebookPanel } from "@/components/operations/PhonebookPanel";

export default async function PhonebookPage() {
  const user = await requireUser();
  const t = await getTranslations("operations.phonebook");
  return (
    <>
      <PageHeader title={t("title")} intro={user.role === "admin" ? t("introAdmin") : t("intro")} />
      <PhonebookPanel isAdmin={user.role === "admin"} />
    </>
  );
}
