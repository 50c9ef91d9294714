/**
 * Test-only: Debian's baresip as a real softphone, configured in a temp
 * folder and, with `control: true`, driven through its `ctrl_tcp` module
 * (netstring-framed JSON: commands such as `dial`, `accept`, `hangup`,
 * answered with `{response, ok, data, token}`; events such as
 * `{event, type: "CALL_INCOMING" | "CALL_ESTABLISHED" | "CALL_CLOSED"…}`).
 * Loopback only; every wait is bounded; `stop` kills the process.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { missingTools } from "./sipp";

/** What the baresip tests need and this machine lacks (empty when they can run). */
export function missingBaresipTools(): string[] {
  return missingTools(["baresip", "sox"]);
}

export const BARESIP_SKIP_MESSAGE = (missing: string[]) => `SKIPPED: the baresip tests need ${missing.join(", ")} (apt-get install -y ${missing.join(" ")})`;

export interface BaresipEvent {
  event: true;
  type: string;
  class?: string;
  peeruri?: string;
  param?: string;
  [key: string]: unknown;
}

export interface BaresipOptions {
  /** Where its config, accounts and audio go (a temp folder). */
  dir: string;
  /** The `accounts` line(s), e.g. `<sip:101@127.0.0.1:5060>;auth_pass=…;regint=600`. */
  accounts: string[];
  /** How long it talks (a 440 Hz tone): baresip 1.0 hangs up when its audio file ends. Default 2 s. */
  talkSeconds?: number;
  /** Start `ctrl_tcp` on a free loopback port and connect to it. */
  control?: boolean;
}

export class Baresip {
  /** Everything baresip printed (its own account of registrations, calls and RTP). */
  output = "";
  readonly events: BaresipEvent[] = [];
  private buffer = Buffer.alloc(0);
  private readonly waiting = new Map<string, (response: { ok: boolean; data: string }) => void>();
  private nextToken = 1;

  private constructor(
    private readonly process: ChildProcess,
    private control: net.Socket | null,
  ) {
    process.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(options: BaresipOptions): Promise<Baresip> {
    const talk = path.join(options.dir, "talk.wav");
    execFileSync("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", talk, "synth", String(options.talkSeconds ?? 2), "sine", "440"]);
    const controlPort = options.control ? await freePort() : null;
    fs.writeFileSync(path.join(options.dir, "config"), baresipConfig({ talk, controlPort }).join("\n"));
    fs.writeFileSync(path.join(options.dir, "accounts"), `${options.accounts.join("\n")}\n`);
    const child = spawn("baresip", ["-f", options.dir], { stdio: ["pipe", "pipe", "ignore"] });
    const phone = new Baresip(child, null);
    if (controlPort !== null) phone.control = await phone.connect(controlPort);
    return phone;
  }

  /** Sends a ctrl_tcp command; resolves with baresip's response. */
  command(command: string, params?: string, timeoutMs = 5000): Promise<{ ok: boolean; data: string }> {
    if (!this.control) throw new Error("baresip was started without control");
    const token = String(this.nextToken++);
    const json = Buffer.from(JSON.stringify({ command, ...(params === undefined ? {} : { params }), token }));
    this.control.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(",")]));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`baresip did not answer "${command}"`)), timeoutMs);
      this.waiting.set(token, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  /** Waits for the first event of `type` (optionally after `after` events); returns it. */
  async event(type: string, timeoutMs = 10_000, after = 0): Promise<BaresipEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(after).find((event) => event.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} from baresip; events: ${this.events.map((event) => event.type).join(", ") || "none"}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.control?.destroy();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once("exit", resolve));
    this.process.kill();
    await exited;
  }

  private async connect(port: number): Promise<net.Socket> {
    // baresip opens its control port a moment after it starts.
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
          socket.once("error", reject);
        });
        socket.on("data", (chunk: Buffer) => this.read(chunk));
        socket.on("error", () => undefined);
        return socket;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Netstrings: `<length>:<json>,`, possibly several in a chunk or one split across chunks. */
  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(":");
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString());
      if (this.buffer.length < colon + 1 + length + 1) return;
      const message = JSON.parse(this.buffer.subarray(colon + 1, colon + 1 + length).toString()) as Record<string, unknown>;
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
      if (message.event) this.events.push(message as BaresipEvent);
      if (message.response && typeof message.token === "string") this.waiting.get(message.token)?.({ ok: message.ok === true, data: String(message.data ?? "") });
    }
  }
}

function baresipConfig(options: { talk: string; controlPort: number | null }): string[] {
  return [
    "poll_method epoll",
    "sip_listen 127.0.0.1:0",
    "sip_transports udp",
    // Loopback only: without this baresip advertises its first interface's address in SDP but sends from 127.0.0.1, and the edge ignores RTP from anywhere but the SDP address.
    "net_interface 127.0.0.1",
    "audio_player aufile,/dev/null",
    `audio_source aufile,${options.talk}`,
    "audio_alert aufile,/dev/null",
    "module_path /usr/lib/baresip/modules",
    "module g711.so",
    "module aufile.so",
    "module_app account.so",
    "module_app menu.so",
    ...(options.controlPort === null ? [] : ["module_app ctrl_tcp.so", `ctrl_tcp_listen 127.0.0.1:${options.controlPort}`]),
  ];
}

function freePort(): Promise<number> {
  const server = net.createServer();
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    }),
  );
}
