import { getRequestConfig } from "next-intl/server";
import { cookies, headers } from "next/headers";
import { getSessionUser } from "../auth/options";
import { localeSchema, type Locale } from "@/lib/schemas/directory";
import { localeCookie, messagesFor } from "@/lib/i18n/messages";

/** The signed-in user's saved language wins; then the language cookie; then the browser's preference. */
async function resolveLocale(): Promise<Locale> {
  const user = await getSessionUser().catch(() => null);
  if (user?.locale) return user.locale;
  const fromCookie = localeSchema.safeParse((await cookies()).get(localeCookie)?.value);
  if (fromCookie.success) return fromCookie.data;
  const accept = (await headers()).get("accept-language") ?? "";
  return /^\s*hu\b/i.test(accept) ? "hu" : "en";
}

export default getRequestConfig(async () => {
  const locale = await resolveLocale();
  return { locale, messages: messagesFor(locale), timeZone: "Europe/Budapest" };
});
