import { CrmMock, type MockReply, type MockRequest } from "./crmMock";

/**
 * A stand-in for HubSpot's CRM search API, following its documentation
 * (developers.hubspot.com, CRM API v3 "Search"):
 *
 * - `POST /crm/v3/objects/contacts/search`, `Authorization: Bearer <private app token>`,
 *   body `{filterGroups: [{filters: [{propertyName, operator, value}]}], properties, limit}`
 *   — filters inside a group are ANDed, groups are ORed. HubSpot calculates
 *   `hs_searchable_calculated_phone_number` / `…_mobile_number` (digits
 *   without country code) from `phone` / `mobilephone`; the mock does the same.
 * - Reply `{total, results: [{id, properties: {…requested, hs_object_id}, createdAt, updatedAt, archived}]}`;
 *   no hit: `{total: 0, results: []}`.
 * - `GET /crm/v3/owners` — `{results: [{id, email, firstName, lastName, userId, …}]}` (CRM owners API).
 * - `POST /crm/v3/objects/calls` — a call engagement (CRM API v3 "Calls"): `{properties: {hs_timestamp
 *   (required; ISO UTC or epoch ms), hs_call_duration (ms), hs_call_direction INBOUND|OUTBOUND,
 *   hs_call_status, hs_call_recording_url (https only), …}, associations?: [{to: {id}, types:
 *   [{associationCategory, associationTypeId}]}]}`; reply 201 `{id, properties, createdAt, updatedAt, archived}`.
 * - Errors as HubSpot sends them: 401 `{status: "error", category: "INVALID_AUTHENTICATION"}`,
 *   429 `{status: "error", errorType: "RATE_LIMIT"}` with `Retry-After` (mode `rate_limited`),
 *   400 `VALIDATION_ERROR` for an unknown operator; mode `down` answers 502.
 */
export interface HubSpotOwner {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
}

export interface HubSpotContact {
  id: string;
  properties: Record<string, string>;
}

/** A call engagement as HubSpot stored it. */
export interface HubSpotCall {
  id: string;
  properties: Record<string, unknown>;
  associations: { to: { id: string }; types: { associationCategory: string; associationTypeId: number }[] }[];
}

const CALL_STATUSES = ["BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING"];

export type HubSpotMode = "normal" | "rate_limited" | "down";

interface Filter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
}

export class HubSpotMock extends CrmMock<HubSpotMode> {
  mode: HubSpotMode = "normal";
  readonly calls: HubSpotCall[] = [];

  constructor(private readonly options: { token: string; contacts: HubSpotContact[]; owners?: HubSpotOwner[] }) {
    super();
  }

  protected answer(request: MockRequest): MockReply {
    if (this.mode === "down") return { status: 502, body: { status: "error", message: "Bad Gateway" } };
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      return { status: 401, body: { status: "error", message: "Authentication credentials not found.", category: "INVALID_AUTHENTICATION" } };
    }
    if (this.mode === "rate_limited") {
      return { status: 429, headers: { "retry-after": "1" }, body: { status: "error", message: "You have reached your secondly limit.", errorType: "RATE_LIMIT", policyName: "SECONDLY" } };
    }
    if (request.method === "GET" && request.url.startsWith("/crm/v3/owners")) {
      const results = (this.options.owners ?? []).map((owner) => ({ ...owner, userId: Number(owner.id) + 1, createdAt: "2025-02-01T08:00:00Z", updatedAt: "2026-10-01T08:00:00Z", archived: false }));
      return { status: 200, body: { results } };
    }
    if (request.method === "POST" && request.url === "/crm/v3/objects/calls") return this.createCall(request.body);
    if (request.method !== "POST" || request.url !== "/crm/v3/objects/contacts/search") return { status: 404, body: { status: "error", message: "Not found", category: "OBJECT_NOT_FOUND" } };
    let search: { filterGroups?: { filters?: Filter[] }[]; properties?: unknown; limit?: unknown };
    try {
      search = JSON.parse(request.body) as typeof search;
    } catch {
      return { status: 400, body: { status: "error", message: "Invalid input JSON", category: "VALIDATION_ERROR" } };
    }
    const groups = search.filterGroups ?? [];
    const filters = groups.flatMap((group) => group.filters ?? []);
    if (filters.some((filter) => typeof filter.propertyName !== "string" || !["EQ", "CONTAINS_TOKEN"].includes(filter.operator as string) || typeof filter.value !== "string")) {
      return { status: 400, body: { status: "error", message: "Invalid filter", category: "VALIDATION_ERROR" } };
    }
    const properties = Array.isArray(search.properties) ? (search.properties as string[]) : ["firstname", "lastname", "email"];
    const hits = this.options.contacts.filter((contact) => groups.some((group) => (group.filters ?? []).every((filter) => matches(contact, filter))));
    const limit = typeof search.limit === "number" ? search.limit : 10;
    const results = hits.slice(0, limit).map((contact) => ({
      id: contact.id,
      properties: { ...Object.fromEntries(properties.map((name) => [name, contact.properties[name] ?? null])), hs_object_id: contact.id },
      createdAt: "2026-01-05T09:00:00.000Z",
      updatedAt: "2026-11-20T10:00:00.000Z",
      archived: false,
    }));
    return { status: 200, body: { total: hits.length, results } };
  }

  private createCall(body: string): MockReply {
    let input: { properties?: unknown; associations?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return validationError("Invalid input JSON");
    }
    const problem = callProblem(input);
    if (problem) return validationError(problem);
    const call: HubSpotCall = {
      id: String(90_000 + this.calls.length + 1),
      properties: input.properties as Record<string, unknown>,
      associations: (input.associations ?? []) as HubSpotCall["associations"],
    };
    this.calls.push(call);
    return { status: 201, body: { id: call.id, properties: { ...call.properties, hs_object_id: call.id }, createdAt: "2026-11-24T09:02:14.000Z", updatedAt: "2026-11-24T09:02:14.000Z", archived: false } };
  }
}

function validationError(message: string): MockReply {
  return { status: 400, body: { status: "error", message, category: "VALIDATION_ERROR" } };
}

/** What HubSpot refuses in a call engagement: the property and association rules of its "Calls" documentation. */
function callProblem(input: { properties?: unknown; associations?: unknown }): string | null {
  const properties = input.properties as Record<string, unknown> | undefined;
  if (!properties || typeof properties !== "object") return "properties is required";
  const timestamp = properties.hs_timestamp;
  if (typeof timestamp !== "string" || (Number.isNaN(Date.parse(timestamp)) && !/^\d+$/.test(timestamp))) return "hs_timestamp must be a UTC date or epoch milliseconds";
  if (properties.hs_call_duration !== undefined && !/^\d+$/.test(String(properties.hs_call_duration))) return "hs_call_duration must be a whole number of milliseconds";
  if (properties.hs_call_direction !== undefined && !["INBOUND", "OUTBOUND"].includes(properties.hs_call_direction as string)) return "hs_call_direction must be INBOUND or OUTBOUND";
  if (properties.hs_call_status !== undefined && !CALL_STATUSES.includes(properties.hs_call_status as string)) return "unknown hs_call_status";
  if (properties.hs_call_recording_url !== undefined && !String(properties.hs_call_recording_url).startsWith("https://")) return "hs_call_recording_url must be an https URL";
  if (input.associations === undefined) return null;
  if (!Array.isArray(input.associations)) return "associations must be a list";
  const valid = input.associations.every(
    (association: { to?: { id?: unknown }; types?: { associationCategory?: unknown; associationTypeId?: unknown }[] }) =>
      ["string", "number"].includes(typeof association.to?.id) &&
      Array.isArray(association.types) &&
      association.types.length > 0 &&
      association.types.every((type) => ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"].includes(type.associationCategory as string) && Number.isInteger(type.associationTypeId)),
  );
  return valid ? null : "each association needs to.id and types [{associationCategory, associationTypeId}]";
}

/** HubSpot's calculated search properties: the number's digits without country code (36) or trunk prefix (06). */
function calculated(number: string | undefined): string {
  const digits = (number ?? "").replace(/\D/g, "");
  return digits.startsWith("36") ? digits.slice(2) : digits.startsWith("06") ? digits.slice(2) : digits;
}

function propertyOf(contact: HubSpotContact, name: string): string {
  if (name === "hs_searchable_calculated_phone_number") return calculated(contact.properties.phone);
  if (name === "hs_searchable_calculated_mobile_number") return calculated(contact.properties.mobilephone);
  return contact.properties[name] ?? "";
}

function matches(contact: HubSpotContact, filter: Filter): boolean {
  const actual = propertyOf(contact, filter.propertyName as string);
  const wanted = filter.value as string;
  if (filter.operator === "EQ") return actual === wanted;
  return actual.split(/\s+/).includes(wanted);
}
