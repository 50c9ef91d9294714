/** Test-only: runs Debian's sipp as the trunk against the SIP edge, one call at a time. */
import { execFileSync, spawn } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import path from "node:path";

export const INBOUND_MENU_SCENARIO = path.join(__dirname, "inbound-menu.xml");
export const INBOUND_TO_PHONE_SCENARIO = path.join(__dirname, "inbound-to-phone.xml");
export const REGISTER_SCENARIO = path.join(__dirname, "register.xml");
export const TRUNK_ANSWERS_SCENARIO = path.join(__dirname, "trunk-answers.xml");
const PCAPS = ["/usr/share/sip-tester/g711a.pcap", "/usr/share/sip-tester/dtmf_2833_1.pcap"];

/** The command-line tools of `tools` this machine lacks. */
export function missingTools(tools: string[]): string[] {
  return tools.filter((tool) => {
    try {
      execFileSync("which", [tool], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
}

/** What the sipp tests need and this machine lacks (empty when they can run). */
export function missingSippTools(): string[] {
  return [...missingTools(["sipp", "espeak-ng", "sox"]), ...PCAPS.filter((file) => !fs.existsSync(file))];
}

export const SIPP_SKIP_MESSAGE = (missing: string[]) => `SKIPPED: the sipp call tests need ${missing.join(", ")} (apt-get install sip-tester espeak-ng sox)`;

/** Places one call from `caller` to `service` with the scenario; resolves with sipp's exit code (0: the scenario passed). */
export function runSipp(options: { edgePort: number; service: string; keys: Record<string, string>; cwd: string; scenario?: string; extraArgs?: string[] }): Promise<{ code: number | null; stderr: string }> {
  const args = [...(options.extraArgs ?? []), "-sf", options.scenario ?? INBOUND_MENU_SCENARIO, "-s", options.service, "-m", "1", "-l", "1", "-i", "127.0.0.1", "-p", "0", "-timeout", "20s", "-timeout_error", "-nostdin"];
  for (const [name, value] of Object.entries(options.keys)) args.push("-key", name, value);
  args.push(`127.0.0.1:${options.edgePort}`);
  const sipp = spawn("sipp", args, { cwd: options.cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  sipp.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => sipp.on("exit", (code) => resolve({ code, stderr })));
}

/**
 * sipp as the provider behind the outbound trunk (`trunk-answers.xml`), answering one call on
 * `address:port`; resolves when sipp is listening, with its exit and the messages it saw
 * (`-trace_msg`, for checking what the edge sent).
 */
export async function sippTrunk(options: { address: string; port: number; cwd: string }): Promise<{ exit: Promise<{ code: number | null; stderr: string }>; messages(): string }> {
  const args = ["-sf", TRUNK_ANSWERS_SCENARIO, "-m", "1", "-i", options.address, "-p", String(options.port), "-timeout", "25s", "-timeout_error", "-nostdin", "-trace_msg", "-message_file", "trunk-messages.log"];
  const sipp = spawn("sipp", args, { cwd: options.cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  sipp.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => sipp.on("exit", (code) => resolve({ code, stderr })));
  // sipp binds at once; give it a moment so the first INVITE is not sent into nothing (it would be retransmitted anyway).
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { exit, messages: () => (fs.existsSync(path.join(options.cwd, "trunk-messages.log")) ? fs.readFileSync(path.join(options.cwd, "trunk-messages.log"), "utf8") : "") };
}

/** A UDP port free on `address` now (for sipp, which needs its port before it starts). */
export function freeUdpPort(address: string): Promise<number> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) =>
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}
