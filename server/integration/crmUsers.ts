import type { OutboundApi } from "./catalog";
import type { ErrorClass, HttpSender } from "./httpSender";
import { connectorMessage } from "./presets";
import { authHeaders } from "./request";
import { readPath } from "./responseMapping";
import { attemptError } from "./retryPolicy";

/**
 * "Load users from the CRM": the look-up API's `users_request` — a GET with
 * the API's own credentials — read into `{crm_user_id, crm_user_name}` rows
 * for the user map. Nothing is saved here; the form merges the rows and the
 * admin adds the extensions.
 */
export interface CrmUsersResult {
  users: { crm_user_id: string; crm_user_name: string }[];
  error: { class: ErrorClass; message: string } | null;
  crm_message?: { en: string; hu: string };
}

const USERS_LIMIT = 1000;
const USERS_TIMEOUT_MS = 10_000;

export async function loadCrmUsers(api: OutboundApi, sender: HttpSender): Promise<CrmUsersResult> {
  const request = api.config.kind === "data_lookup" ? api.config.users_request : null;
  if (!request) return { users: [], error: { class: "other", message: "this API has no users request" } };
  const result = await sender.send(
    { url: request.url, method: "GET", headers: { accept: "application/json", "user-agent": "Switchboard-Webhooks/1", ...authHeaders(api, false) }, body: "", timeoutMs: USERS_TIMEOUT_MS },
    { maxBodyBytes: 1024 * 1024 },
  );
  const error = attemptError(result);
  if (error) {
    const message = result.response ? connectorMessage(api.config.preset, result.response.status) : undefined;
    return { users: [], error, ...(message ? { crm_message: message } : {}) };
  }
  let reply: unknown;
  try {
    reply = JSON.parse(result.response?.body ?? "");
  } catch {
    return { users: [], error: { class: "bad_response", message: "the reply is not valid JSON" } };
  }
  const items = readPath(request.items, reply);
  if (!Array.isArray(items)) return { users: [], error: { class: "bad_response", message: `${request.items} is not a list in the reply` } };
  const users = items.slice(0, USERS_LIMIT).flatMap((item) => {
    const id = readPath(request.id, item);
    if (typeof id !== "string" && typeof id !== "number") return [];
    const name = request.name ? readPath(request.name, item) : undefined;
    return [{ crm_user_id: String(id), crm_user_name: typeof name === "string" || typeof name === "number" ? String(name) : "" }];
  });
  return { users, error: null };
}
