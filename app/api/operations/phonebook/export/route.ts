import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { exportContactsCsv, exportContactsVcard } from "@/server/services/phonebook";

export const dynamic = "force-dynamic";

/** The portal's phonebook download (every signed-in user may read the phonebook): `?format=csv|vcf&search=`. */
export async function GET(request: Request): Promise<Response> {
  if (!(await getSessionUser())) return new Response("Sign in first", { status: 401 });
  const url = new URL(request.url);
  const search = (url.searchParams.get("search") ?? "").slice(0, 100);
  const vcard = url.searchParams.get("format") === "vcf";
  const body = vcard ? await exportContactsVcard(getDb(), search) : await exportContactsCsv(getDb(), search);
  return new Response(body, {
    headers: {
      "content-type": vcard ? "text/vcard; charset=utf-8" : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="phonebook.${vcard ? "vcf" : "csv"}"`,
      "cache-control": "no-store",
    },
  });
}
