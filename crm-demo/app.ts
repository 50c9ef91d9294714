/**
 * The reference CRM receiver: what a CRM has to do to work with Switchboard,
 * in one small file with no framework. It verifies Standard Webhooks
 * signatures, answers data look-ups from its own customer table, shows a live
 * customer card when a call comes in, and keeps the call records it receives
 * (de-duplicated by `webhook-id`), playing their recordings through
 * Switchboard's API with a technical user.
 */
import http from "node:http";
import { Webhook } from "standardwebhooks";
import { demoPage } from "./page";

export interface CrmDemoOptions {
  /** `whsec_…` secrets of the outbound APIs pointing here (one per API; any may sign). */
  secrets: string[];
  /** Switchboard's base URL, for recordings. */
  switchboardUrl: string;
  /** A technical user with the recordings:read scope. */
  clientId?: string;
  clientSecret?: string;
}

export interface Customer {
  id: string;
  name: string;
  company: string;
  owner_extension: string;
}

/** The demo organisation's callers (Switchboard's demo phonebook uses the same numbers). */
export const customers: Record<string, Customer> = {
  "+36301112233": { id: "C-1001", name: "Varga László", company: "Varga és Társa Bt.", owner_extension: "102" },
  "+36209876543": { id: "C-1002", name: "Molnár Katalin", company: "Molnár Logisztika Kft.", owner_extension: "103" },
};

interface ReceivedEvent {
  webhookId: string;
  type: string;
  receivedAt: string;
  data: Record<string, unknown>;
}

const MAX_BODY = 1 << 20;

export class CrmDemo {
  readonly events: ReceivedEvent[] = [];
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<http.ServerResponse>();
  private readonly verifiers: Webhook[];
  readonly server: http.Server;

  constructor(private readonly options: CrmDemoOptions) {
    this.verifiers = options.secrets.map((secret) => new Webhook(secret));
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        console.error("crm-demo:", error);
        if (!res.headersSent) send(res, 500, { error: "internal error" });
      });
    });
  }

  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve) => this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port)));
  }

  async close(): Promise<void> {
    for (const listener of this.listeners) listener.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Call records received, newest first (partial and final). */
  cdrs(): ReceivedEvent[] {
    return this.events.filter((event) => event.type === "call.ended").reverse();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://crm.local");
    if (req.method === "GET" && url.pathname === "/") return sendHtml(res, demoPage());
    if (req.method === "GET" && url.pathname === "/api/cdrs") return send(res, 200, this.cdrs());
    if (req.method === "GET" && url.pathname === "/api/events") return send(res, 200, [...this.events].reverse().slice(0, 100));
    if (req.method === "GET" && url.pathname === "/stream") return this.stream(res);
    if (req.method === "GET" && url.pathname.startsWith("/recordings/")) return this.recording(req, res, url.pathname.slice("/recordings/".length));
    if (req.method === "POST" && ["/lookup", "/events", "/cdr", "/webhooks"].includes(url.pathname)) return this.webhook(req, res, url.pathname);
    send(res, 404, { error: "not found" });
  }

  /** Every webhook: verify the signature first; a bad one is refused (and Switchboard's log shows the 401). */
  private async webhook(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const body = await readBody(req);
    if (body === null) return send(res, 413, { error: "body too large" });
    const headers = { "webhook-id": header(req, "webhook-id"), "webhook-timestamp": header(req, "webhook-timestamp"), "webhook-signature": header(req, "webhook-signature") };
    const payload = this.verify(body, headers) as { type: string; data: Record<string, unknown> } | null;
    if (!payload) return send(res, 401, { error: "invalid signature" });

    if (payload.type === "call.lookup") return this.lookup(res, payload.data);
    // Retries and resends repeat the webhook-id: remember it and acknowledge the duplicate without storing it twice.
    if (!this.seen.has(headers["webhook-id"])) {
      this.seen.add(headers["webhook-id"]);
      const event = { webhookId: headers["webhook-id"], type: payload.type, receivedAt: new Date().toISOString(), data: payload.data };
      this.events.push(event);
      this.broadcast(event);
      console.info(`crm-demo: ${payload.type} ${headers["webhook-id"]} on ${path}`);
    }
    send(res, 200, { received: true });
  }

  private verify(body: string, headers: Record<string, string>): unknown {
    for (const verifier of this.verifiers) {
      try {
        return verifier.verify(body, headers);
      } catch {
        // try the next secret
      }
    }
    return null;
  }

  /** Answers in the documented default shape, so Switchboard's default response mapping reads it. */
  private lookup(res: http.ServerResponse, data: Record<string, unknown>): void {
    const caller = (data.caller as { number?: string } | undefined)?.number ?? "";
    const customer = customers[caller];
    if (!customer) return send(res, 404, { found: false });
    send(res, 200, {
      extension: customer.owner_extension,
      contact: { id: customer.id, name: customer.name, company: customer.company, url: `/customers/${customer.id}` },
      variables: { customer_id: customer.id, vip: customer.id === "C-1001" },
    });
  }

  /** Server-sent events to the page: each call event as it arrives (the live customer card). */
  private stream(res: http.ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": connected\n\n");
    this.listeners.add(res);
    res.on("close", () => this.listeners.delete(res));
  }

  private broadcast(event: ReceivedEvent): void {
    const contact = event.type === "call.incoming" ? customers[(event.data.caller as { number?: string } | undefined)?.number ?? ""] ?? null : null;
    const message = `data: ${JSON.stringify({ ...event, customer: contact })}\n\n`;
    for (const listener of this.listeners) listener.write(message);
  }

  /** Plays a recording by fetching it from Switchboard with the technical user's Basic credentials (Range passed through). */
  private async recording(req: http.IncomingMessage, res: http.ServerResponse, code: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(code)) return send(res, 400, { error: "not a recording code" });
    const { clientId, clientSecret, switchboardUrl } = this.options;
    if (!clientId || !clientSecret) return send(res, 503, { error: "set SWITCHBOARD_CLIENT_ID and SWITCHBOARD_CLIENT_SECRET to play recordings" });
    const upstream = await fetch(new URL(`/api/v1/recordings/${code}`, switchboardUrl), {
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
        ...(req.headers.range ? { range: req.headers.range } : {}),
      },
    });
    const passed: Record<string, string> = {};
    for (const name of ["content-type", "content-length", "content-range", "accept-ranges"]) {
      const value = upstream.headers.get(name);
      if (value) passed[name] = value;
    }
    res.writeHead(upstream.status, passed);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }
}

function header(req: http.IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : (value ?? "");
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendHtml(res: http.ServerResponse, html: string): void {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self'" }).end(html);
}
