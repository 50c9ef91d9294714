import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/server/db/client";
import { getSessionUser } from "@/server/auth/options";
import { needsFirstAdmin } from "@/server/services/setup";
import { AuthCard } from "@/components/auth/AuthCard";
import { LoginForm } from "@/components/auth/LoginForm";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await needsFirstAdmin(getDb())) redirect("/setup");
  if (await getSessionUser()) redirect("/");
  const t = await getTranslations("auth");
  return (
    <AuthCard title={t("signInTitle")} intro={t("signInIntro")}>
      <LoginForm />
    </AuthCard>
  );
}
