import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type CrmMode = "ok" | "down" | "slow" | "error500" | "throttle429";

export interface Received {
  webhookId: string;
  type: string;
  cdrId: string | null;
  isFinal: boolean | null;
}

/**
 * The soak test's CRM: verifies every signature with the standardwebhooks
 * package, answers look-ups with an owner extension, records each delivery
 * (by webhook-id), and misbehaves on command — refuses connections, answers
 * slowly, with 500s or with 429 + Retry-After.
 */
export class FaultyCrm {
  mode: CrmMode = "ok";
  readonly received: Received[] = [];
  badSignatures = 0;
  private server: http.Server | null = null;
  private readonly verifiers = new Map<string, Webhook>();
  private port = 0;

  /** Signing secrets per path (`/lookup`, `/incoming`, `/cdr`), set once the outbound APIs exist. */
  setSecret(pathName: string, secret: string): void {
    this.verifiers.set(pathName, new Webhook(secret));
  }

  async start(port = 0): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** "down": the port stops listening, so senders get connection refused. */
  async setMode(mode: CrmMode): Promise<void> {
    if (mode === "down" && this.server) {
      const server = this.server;
      this.server = null;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    } else if (mode !== "down" && !this.server) {
      await this.start(this.port);
    }
    this.mode = mode;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
    this.server = null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (this.mode === "slow") await new Promise((r) => setTimeout(r, 5_000));
    if (this.mode === "error500") return void res.writeHead(500).end("CRM is having a bad day");
    if (this.mode === "throttle429") return void res.writeHead(429, { "retry-after": "1" }).end("slow down");
    const verifier = this.verifiers.get(req.url ?? "");
    const headers = { "webhook-id": String(req.headers["webhook-id"]), "webhook-timestamp": String(req.headers["webhook-timestamp"]), "webhook-signature": String(req.headers["webhook-signature"]) };
    let event: { type: string; data: { cdr_id?: string; is_final?: boolean; caller?: { number?: string } } };
    try {
      event = (verifier ? verifier.verify(body, headers) : JSON.parse(body)) as typeof event;
    } catch {
      this.badSignatures++;
      return void res.writeHead(400).end("bad signature");
    }
    this.received.push({ webhookId: headers["webhook-id"], type: event.type, cdrId: event.data.cdr_id ?? null, isFinal: event.data.is_final ?? null });
    if (event.type === "call.lookup") {
      const digit = Number((event.data.caller?.number ?? "0").slice(-1));
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify(digit % 3 === 0 ? {} : { extension: digit % 2 === 0 ? "102" : "103", contact: { name: "Soak Customer" } }));
    }
    res.writeHead(204).end();
  }
}
