/**
 * CSRF guard for mutating route handlers that browsers may call with a
 * session cookie (tRPC's JSON posts are not "simple" requests, but a
 * multipart form post is). A browser always says where a POST comes from:
 * `Sec-Fetch-Site` and/or `Origin`; a request that says neither, or names
 * another site, is refused.
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  if (!origin) return site === "same-origin";
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}
