import { getTranslations } from "next-intl/server";
import { requireUser } from "@/server/auth/guards";
import { PageHeader } from "@/components/ui/PageHeader";
import { LiveCalls } from "@/components/operations/LiveCalls";
import { CallHistory } from "@/components/operations/CallHistory";

export default async function CallsPage() {
  const user = await requireUser();
  const t = await getTranslations("operations.calls");
  return (
    <>
      <PageHeader title={t("title")} intro={user.role === "admin" ? t("introAdmin") : t("introUser")} />
      <LiveCalls />
      {/* Replaying a call opens the flow editor, which is for admins. */}
      <CallHistory canReplay={user.role === "admin"} />
    </>
  );
}
