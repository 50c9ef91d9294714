import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a CRM mock saw it. */
export interface MockRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A reply: `body` is sent as JSON, or as text when `text` is set. */
export interface MockReply {
  status: number;
  body: unknown;
  text?: boolean;
  headers?: Record<string, string>;
}

/**
 * The HTTP side every CRM mock shares: loopback server, every request
 * recorded, a `mode` a test switches to make the CRM misbehave. A mock
 * only says how its CRM answers.
 */
export abstract class CrmMock<Mode extends string = "normal" | "rate_limited" | "down"> {
  abstract mode: Mode;
  readonly requests: MockRequest[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const seen: MockRequest = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
      this.requests.push(seen);
      const reply = this.answer(seen);
      response.writeHead(reply.status, { "content-type": reply.text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8", ...reply.headers });
      response.end(reply.text ? String(reply.body) : JSON.stringify(reply.body));
    });
  });

  protected abstract answer(request: MockRequest): MockReply;

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
