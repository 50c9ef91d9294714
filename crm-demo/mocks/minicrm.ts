import { CrmMock, type MockReply, type MockRequest } from "./crmMock";

/**
 * A stand-in for MiniCRM's public API, following its documentation
 * (minicrm.hu/help: "Contact actions", "Project actions", "General
 * information on search", "Call log API"):
 *
 * - `GET /Api/R3/Contact?Query=<digits>` — full-text contact search; for a
 *   phone number digits only, at least the last 6. HTTP Basic `SystemId:APIKey`.
 * - `GET /Api/R3/Project?ContactId=<id>` — field-based project search.
 * - Search replies: `{"Count": n, "Results": {"<Id>": {Id, Name, Url, …}}}`;
 *   no hit: `{"Count": 0, "Results": []}` (an empty PHP array).
 * - `POST /Api/CallLog` — `{ApiKey (the VOIP key), UserExtension, Data: [{Number,
 *   Duration, CallType 0|1|2, Date (UTC "YYYY-MM-DD hh:mm:ss"), ReferenceId?}]}`.
 *
 * Modes make it answer as MiniCRM does when things go wrong: `rate_limited`
 * (429 with Retry-After), `down` (503). A wrong key gets 401. Every request
 * is recorded, so a test sees exactly what Switchboard sent.
 */
export interface MiniCrmContact {
  Id: number;
  Name: string;
  Phone: string;
  Type?: "Person" | "Business";
}

export interface MiniCrmProject {
  Id: number;
  ContactId: number;
  UserId: number;
  Name: string;
  StatusId?: number;
}

export type MiniCrmMode = "normal" | "rate_limited" | "down";

export class MiniCrmMock extends CrmMock<MiniCrmMode> {
  mode: MiniCrmMode = "normal";
  /** Seconds MiniCRM asks to wait in `rate_limited` mode. */
  retryAfterS = 1;
  readonly callLogs: { UserExtension: string; Data: Record<string, unknown>[] }[] = [];

  constructor(
    private readonly options: { systemId: string; apiKey: string; voipKey: string; contacts: MiniCrmContact[]; projects: MiniCrmProject[] },
  ) {
    super();
  }

  protected answer(request: MockRequest): MockReply {
    if (this.mode === "down") return { status: 503, body: "Service Unavailable", text: true };
    if (this.mode === "rate_limited") return { status: 429, body: "Too Many Requests", text: true, headers: { "retry-after": String(this.retryAfterS) } };
    const url = new URL(request.url, "http://minicrm.local");
    if (url.pathname === "/Api/CallLog" && request.method === "POST") return this.callLog(request.body);
    if (!url.pathname.startsWith("/Api/R3/")) return { status: 404, body: "Not Found", text: true };
    const expected = `Basic ${Buffer.from(`${this.options.systemId}:${this.options.apiKey}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return { status: 401, body: "Unauthorized", text: true };
    if (request.method !== "GET") return { status: 405, body: "Method Not Allowed", text: true };
    if (url.pathname === "/Api/R3/Contact") return this.contactSearch(url);
    if (url.pathname === "/Api/R3/Project") return this.projectSearch(url);
    return { status: 404, body: "Not Found", text: true };
  }

  private contactSearch(url: URL): MockReply {
    const query = url.searchParams.get("Query") ?? "";
    // The documented rule for phone numbers: digits only, at least the last 6.
    if (!/^\d{6,}$/.test(query)) return { status: 400, body: "Query must be at least the last 6 digits of the number" };
    const hits = this.options.contacts.filter((contact) => contact.Phone.replace(/\D/g, "").endsWith(query));
    return { status: 200, body: searchReply(hits.map((c) => ({ Id: String(c.Id), Name: c.Name, Url: `https://r3.minicrm.hu/Api/R3/Contact/${c.Id}`, Type: c.Type ?? "Person", Phone: c.Phone }))) };
  }

  private projectSearch(url: URL): MockReply {
    const contactId = url.searchParams.get("ContactId");
    if (!contactId || !/^\d+$/.test(contactId)) return { status: 400, body: "ContactId must be a number" };
    const hits = this.options.projects.filter((project) => String(project.ContactId) === contactId);
    return {
      status: 200,
      body: searchReply(
        hits.map((p) => ({ Id: String(p.Id), Name: p.Name, Url: `https://r3.minicrm.hu/Api/R3/Project/${p.Id}`, StatusId: String(p.StatusId ?? 2500), UserId: String(p.UserId), Deleted: "0" })),
      ),
    };
  }

  private callLog(body: string): MockReply {
    let payload: { ApiKey?: unknown; UserExtension?: unknown; Data?: unknown };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return { status: 400, body: "Invalid JSON" };
    }
    if (payload.ApiKey !== this.options.voipKey) return { status: 401, body: "Invalid ApiKey" };
    const valid =
      typeof payload.UserExtension === "string" &&
      Array.isArray(payload.Data) &&
      payload.Data.every(
        (item: Record<string, unknown>) =>
          typeof item.Number === "string" &&
          Number.isInteger(item.Duration) &&
          [0, 1, 2].includes(item.CallType as number) &&
          typeof item.Date === "string" &&
          /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(item.Date) &&
          (item.ReferenceId === undefined || typeof item.ReferenceId === "string"),
      );
    if (!valid) return { status: 400, body: "Invalid call log" };
    this.callLogs.push(payload as { UserExtension: string; Data: Record<string, unknown>[] });
    return { status: 200, body: "OK" };
  }
}

function searchReply(results: { Id: string }[]) {
  return { Count: results.length, Results: results.length === 0 ? [] : Object.fromEntries(results.map((result) => [result.Id, result])) };
}
