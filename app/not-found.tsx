import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("notFound");
  return (
    <main className="mx-auto mt-24 max-w-md rounded-xl bg-white p-8 text-center shadow-sm ring-1 ring-slate-200">
      <h1 className="text-xl font-semibold">{t("title")}</h1>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
        {t("back")}
      </Link>
    </main>
  );
}
