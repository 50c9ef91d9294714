/**
 * Optimistic concurrency for resources with a version (phonebook contacts,
 * forwarding rules): send `ETag` on reads and writes, honour `If-Match` on
 * writes. A stale `If-Match` is a 412; `If-Match: *` matches any existing version.
 */
import crypto from "node:crypto";
import { ApiProblem } from "./problem";
import type { ApiRequestInfo } from "./operation";

/** A strong entity tag from a version number or any stable text (e.g. a row's `version`, or `updated_at`). */
export function etagOf(version: string | number): string {
  const text = String(version);
  return /^[\w.-]{1,64}$/.test(text) ? `"${text}"` : `"${crypto.createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;
}

/**
 * Throws 412 when the request's `If-Match` names none of the current tag.
 * `required`: a missing `If-Match` is a 428 instead of "go ahead".
 */
export function checkIfMatch(request: ApiRequestInfo, currentEtag: string, options: { required?: boolean } = {}): void {
  const header = request.headers.get("if-match");
  if (header === null) {
    if (options.required) throw new ApiProblem(428, "Send If-Match with the ETag you read, so a concurrent change is not overwritten");
    return;
  }
  const tags = header.split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (!tags.includes("*") && !tags.includes(currentEtag)) {
    throw new ApiProblem(412, "The resource changed since you read it (If-Match does not match its ETag); read it again and retry", {
      errors: [{ path: "header.If-Match", code: "stale_etag", message: `The current ETag is ${currentEtag}` }],
    });
  }
}
