import { CrmMock, type MockReply, type MockRequest } from "./crmMock";

/**
 * A stand-in for Pipedrive's person search, following its documentation
 * (developers.pipedrive.com, API v2 "Persons"):
 *
 * - `GET /api/v2/persons/search?term=…&fields=phone&limit=…` with the API token in
 *   the `x-api-token` header; `term` at least 2 characters; without
 *   `exact_match` a term matches part of a field (for phones: of the digits).
 * - Reply `{success: true, data: {items: [{result_score, item: {id, type: "person", name,
 *   phones, emails, visible_to, owner: {id}, organization: {id, name, address}}}]},
 *   additional_data: {next_cursor}}`; no hit: `items: []`.
 * - `GET /v1/users` — `{success: true, data: [{id, name, email, active_flag, …}]}` (API v1 "Users").
 * - `POST /v1/callLogs` (API v1 "CallLogs") — required `to_phone_number`, `outcome` (connected,
 *   no_answer, left_message, left_voicemail, wrong_number, busy), `start_time` and `end_time`
 *   (UTC "YYYY-MM-DD HH:MM:SS"); optional `duration` (seconds, a string), `person_id` (integer),
 *   `subject`, `note`, `from_phone_number`; reply `{success: true, data: {id, …}}`.
 * - Errors: 401 `{success: false, error: "unauthorized access", errorCode: 401}`,
 *   429 with Retry-After (mode `rate_limited`), 503 (mode `down`).
 */
export interface PipedrivePerson {
  id: number;
  name: string;
  phones: string[];
  ownerId: number;
  organization?: { id: number; name: string };
}

const OUTCOMES = ["connected", "no_answer", "left_message", "left_voicemail", "wrong_number", "busy"];
const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** What Pipedrive refuses in a call log: required fields and formats of its "CallLogs" documentation. */
function callLogProblem(log: Record<string, unknown>): string | null {
  if (typeof log.to_phone_number !== "string" || log.to_phone_number === "") return "to_phone_number is required";
  if (!OUTCOMES.includes(log.outcome as string)) return "outcome must be one of " + OUTCOMES.join(", ");
  if (typeof log.start_time !== "string" || !UTC_TIME.test(log.start_time)) return "start_time must be YYYY-MM-DD HH:MM:SS";
  if (typeof log.end_time !== "string" || !UTC_TIME.test(log.end_time)) return "end_time must be YYYY-MM-DD HH:MM:SS";
  if (log.duration !== undefined && (typeof log.duration !== "string" || !/^\d+$/.test(log.duration))) return "duration must be a string of seconds";
  if (log.person_id !== undefined && !Number.isInteger(log.person_id)) return "person_id must be an integer";
  return null;
}

export class PipedriveMock extends CrmMock {
  mode: "normal" | "rate_limited" | "down" = "normal";
  readonly callLogs: (Record<string, unknown> & { id: string })[] = [];

  constructor(private readonly options: { token: string; persons: PipedrivePerson[]; users?: { id: number; name: string; email: string }[] }) {
    super();
  }

  protected answer(request: MockRequest): MockReply {
    if (this.mode === "down") return { status: 503, body: { success: false, error: "Service unavailable" } };
    if (request.headers["x-api-token"] !== this.options.token) {
      return { status: 401, body: { success: false, error: "unauthorized access", errorCode: 401, error_info: "Please check developers.pipedrive.com" } };
    }
    if (this.mode === "rate_limited") return { status: 429, headers: { "retry-after": "2" }, body: { success: false, error: "Request over limit", errorCode: 429 } };
    const url = new URL(request.url, "http://pipedrive.local");
    if (request.method === "GET" && url.pathname === "/v1/users") {
      return { status: 200, body: { success: true, data: (this.options.users ?? []).map((user) => ({ ...user, active_flag: true, is_admin: 0, role_id: 1 })) } };
    }
    if (request.method === "POST" && url.pathname === "/v1/callLogs") return this.addCallLog(request.body);
    if (request.method !== "GET" || url.pathname !== "/api/v2/persons/search") return { status: 404, body: { success: false, error: "Unknown method", errorCode: 404 } };
    const term = url.searchParams.get("term") ?? "";
    if (term.length < 2) return { status: 400, body: { success: false, error: "Search term must be at least 2 characters long", errorCode: 400 } };
    const byPhone = (url.searchParams.get("fields") ?? "phone").split(",").includes("phone");
    const hits = byPhone ? this.options.persons.filter((person) => person.phones.some((phone) => phone.replace(/\D/g, "").includes(term.replace(/\D/g, "")))) : [];
    const limit = Number(url.searchParams.get("limit") ?? 100);
    return {
      status: 200,
      body: {
        success: true,
        data: {
          items: hits.slice(0, limit).map((person) => ({
            result_score: 0.5,
            item: {
              id: person.id,
              type: "person",
              name: person.name,
              phones: person.phones,
              emails: [],
              visible_to: 3,
              owner: { id: person.ownerId },
              organization: person.organization ? { ...person.organization, address: null } : null,
              custom_fields: [],
              notes: [],
            },
          })),
        },
        additional_data: { next_cursor: null },
      },
    };
  }

  private addCallLog(body: string): MockReply {
    let log: Record<string, unknown>;
    try {
      log = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { success: false, error: "Invalid JSON", errorCode: 400 } };
    }
    const problem = callLogProblem(log);
    if (problem) return { status: 400, body: { success: false, error: problem, errorCode: 400 } };
    const stored = { ...log, id: `cl${this.callLogs.length + 1}` };
    this.callLogs.push(stored);
    return { status: 200, body: { success: true, data: { ...stored, has_recording: false, company_id: 1, user_id: this.options.users?.[0]?.id ?? 1 } } };
  }
}
