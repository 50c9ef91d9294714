import http from "node:http";
import type { AddressInfo } from "node:net";

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

export interface MiniCrmRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

export class MiniCrmMock {
  mode: MiniCrmMode = "normal";
  /** Seconds MiniCRM asks to wait in `rate_limited` mode. */
  retryAfterS = 1;
  readonly requests: MiniCrmRequest[] = [];
  readonly callLogs: { UserExtension: string; Data: Record<string, unknown>[] }[] = [];
  private readonly server: http.Server;

  constructor(
    private readonly options: { systemId: string; apiKey: string; voipKey: string; contacts: MiniCrmContact[]; projects: MiniCrmProject[] },
  ) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        this.requests.push({ method: request.method ?? "", url: request.url ?? "", authorization: request.headers.authorization, body });
        const reply = this.answer(request, body);
        response.writeHead(reply.status, { "content-type": reply.type ?? "application/json; charset=utf-8", ...reply.headers });
        response.end(reply.body);
      });
    });
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: http.IncomingMessage, body: string): { status: number; body: string; type?: string; headers?: Record<string, string> } {
    if (this.mode === "down") return { status: 503, body: "Service Unavailable", type: "text/plain" };
    if (this.mode === "rate_limited") return { status: 429, body: "Too Many Requests", type: "text/plain", headers: { "retry-after": String(this.retryAfterS) } };
    const url = new URL(request.url ?? "/", "http://minicrm.local");
    if (url.pathname === "/Api/CallLog" && request.method === "POST") return this.callLog(body);
    if (!url.pathname.startsWith("/Api/R3/")) return { status: 404, body: "Not Found", type: "text/plain" };
    const expected = `Basic ${Buffer.from(`${this.options.systemId}:${this.options.apiKey}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return { status: 401, body: "Unauthorized", type: "text/plain" };
    if (request.method !== "GET") return { status: 405, body: "Method Not Allowed", type: "text/plain" };
    if (url.pathname === "/Api/R3/Contact") return this.contactSearch(url);
    if (url.pathname === "/Api/R3/Project") return this.projectSearch(url);
    return { status: 404, body: "Not Found", type: "text/plain" };
  }

  private contactSearch(url: URL) {
    const query = url.searchParams.get("Query") ?? "";
    // The documented rule for phone numbers: digits only, at least the last 6.
    if (!/^\d{6,}$/.test(query)) return { status: 400, body: JSON.stringify("Query must be at least the last 6 digits of the number") };
    const hits = this.options.contacts.filter((contact) => contact.Phone.replace(/\D/g, "").endsWith(query));
    return { status: 200, body: searchReply(hits.map((c) => ({ Id: String(c.Id), Name: c.Name, Url: `https://r3.minicrm.hu/Api/R3/Contact/${c.Id}`, Type: c.Type ?? "Person", Phone: c.Phone }))) };
  }

  private projectSearch(url: URL) {
    const contactId = url.searchParams.get("ContactId");
    if (!contactId || !/^\d+$/.test(contactId)) return { status: 400, body: JSON.stringify("ContactId must be a number") };
    const hits = this.options.projects.filter((project) => String(project.ContactId) === contactId);
    return {
      status: 200,
      body: searchReply(
        hits.map((p) => ({ Id: String(p.Id), Name: p.Name, Url: `https://r3.minicrm.hu/Api/R3/Project/${p.Id}`, StatusId: String(p.StatusId ?? 2500), UserId: String(p.UserId), Deleted: "0" })),
      ),
    };
  }

  private callLog(body: string) {
    let payload: { ApiKey?: unknown; UserExtension?: unknown; Data?: unknown };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return { status: 400, body: JSON.stringify("Invalid JSON") };
    }
    if (payload.ApiKey !== this.options.voipKey) return { status: 401, body: JSON.stringify("Invalid ApiKey") };
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
    if (!valid) return { status: 400, body: JSON.stringify("Invalid call log") };
    this.callLogs.push(payload as { UserExtension: string; Data: Record<string, unknown>[] });
    return { status: 200, body: JSON.stringify("OK") };
  }
}

function searchReply(results: { Id: string }[]): string {
  return JSON.stringify({ Count: results.length, Results: results.length === 0 ? [] : Object.fromEntries(results.map((result) => [result.Id, result])) });
}
