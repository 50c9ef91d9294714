import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the test receiver saw it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | "hang" | "destroy";

/**
 * A loopback CRM for tests: records every request and answers with what
 * `respond` says (status, headers, body, an artificial delay, never, or a
 * dropped connection). Real HTTP, so the engine is tested as it runs.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (request: ReceivedRequest, index: number) => Reply = () => ({ status: 200, body: "ok" });
  inFlight = 0;
  maxInFlight = 0;
  private readonly server: http.Server;
  /** Requests left hanging → their index in `requests`. */
  private readonly hanging = new Map<http.ServerResponse, number>();
  private port = 0;

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
        const index = this.requests.push(request) - 1;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        res.on("close", () => {
          this.inFlight--;
          this.hanging.delete(res);
        });
        const reply = this.respond(request, index);
        if (reply === "hang") {
          this.hanging.set(res, index);
          return;
        }
        if (reply === "destroy") {
          req.socket.destroy();
          return;
        }
        const send = () => res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? "");
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url();
  }

  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers the requests left hanging so far (or only the one with index `only`). */
  answerHanging(status = 200, only?: number): void {
    for (const [res, index] of [...this.hanging]) if (only === undefined || index === only) res.writeHead(status).end();
  }

  /** Resolves once `count` requests have arrived (real time; fails the test after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging.keys()) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
