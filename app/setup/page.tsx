import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/server/db/client";
import { needsFirstAdmin } from "@/server/services/setup";
import { AuthCard } from "@/components/auth/AuthCard";
import { SetupForm } from "@/components/auth/SetupForm";

export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (!await needsFirstAdmin(getDb())) redirect("/login");
  const t = await getTranslations("auth");
  return (
    <AuthCard title={t("setupTitle")} intro={t("setupIntro")}>
      <SetupForm />
    </AuthCard>
  );
}
