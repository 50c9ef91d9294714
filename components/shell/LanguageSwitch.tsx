"use client";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { localeCookie } from "@/lib/i18n/messages";
import type { Locale } from "@/lib/schemas/directory";

const labels: Record<Locale, string> = { en: "English", hu: "Magyar" };

/** Saves the language on the account (so it follows the user) and in a cookie (for the sign-in pages). */
export function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const t = useTranslations("nav");
  const locale = useLocale() as Locale;
  const router = useRouter();
  const trpc = useTRPC();
  const save = useMutation(trpc.account.setLocale.mutationOptions());

  async function change(next: Locale) {
    document.cookie = `${localeCookie}=${next}; path=/; max-age=31536000; samesite=lax`;
    if (signedIn) await save.mutateAsync(next);
    router.refresh();
  }

  return (
    <label className="flex items-center gap-2 text-sm text-slate-600">
      <span className="sr-only">{t("language")}</span>
      <select
        aria-label={t("language")}
        value={locale}
        onChange={(e) => change(e.target.value as Locale)}
        className="rounded-md border-0 bg-transparent py-1 pl-2 pr-7 text-sm ring-1 ring-slate-300"
      >
        {(Object.keys(labels) as Locale[]).map((l) => (
          <option key={l} value={l}>
            {labels[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
