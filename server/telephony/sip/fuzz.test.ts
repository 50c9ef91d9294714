/**
 * A generated hostile message set against the SIP edge over loopback UDP
 * (issue #13): every cut of a valid INVITE, broken and huge headers, lying
 * Content-Lengths, random binary, wrong methods, requests for dialogs that
 * do not exist, stray responses, unusable offers. Each datagram must get
 * exactly the response its kind calls for, or none (dropped, and logged
 * within the log budget); no handler may throw (the transport would log an
 * error), nothing may reach call control, and the edge keeps taking calls.
 * (sipEngine.test.ts has the hand-written hostile cases and RTP from a
 * foreign address; message.test.ts fuzzes the parser alone.)
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { EngineEvent } from "../engine";
import { headerValue } from "./message";
import { SipEngine } from "./sipEngine";
import { g711Offer, inviteText, SipTestPeer } from "./testing/sipTestPeer";
import { MALFORMED_LOGS_PER_MINUTE } from "./transport";

interface Hostile {
  what: string;
  datagram: Buffer;
  /** The Call-ID a response would carry. */
  callId: string;
  /** The one status it must be answered with, or null: dropped without an answer. */
  expect: number | null;
}

const logged: { level: string; message: string }[] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_fields: unknown, message: string) => logged.push({ level: "warn", message }),
  error: (_fields: unknown, message: string) => logged.push({ level: "error", message }),
};

let engine: SipEngine;
let attacker: SipTestPeer;
let events: EngineEvent[];

beforeEach(async () => {
  logged.length = 0;
  engine = await SipEngine.start({ clock: systemClock, logger, listen: { address: "127.0.0.1", port: 0 }, trustedPeers: ["127.0.0.1"], prompts: { pcm: async () => new Int16Array(800) } });
  events = [];
  engine.subscribe((event) => events.push(event));
  attacker = await SipTestPeer.open();
});

afterEach(async () => {
  await Promise.all([engine.close(), attacker.close()]);
});

/** A request as the attacker's socket would send it (CRLF lines, Content-Length as given or computed). */
function request(lines: string[], body = "", contentLength: string | null = String(Buffer.byteLength(body, "latin1"))): Buffer {
  return Buffer.from([...lines, ...(contentLength === null ? [] : [`Content-Length: ${contentLength}`]), "", body].join("\r\n"), "latin1");
}

function headers(method: string, callId: string, options: { toTag?: string; extra?: string[] } = {}): string[] {
  const { port } = attacker.local;
  return [
    `${method} sip:3612345000@127.0.0.1:${engine.local.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${callId}`,
    `From: <sip:+3611112222@127.0.0.1>;tag=fuzz`,
    `To: <sip:3612345000@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    "Max-Forwards: 70",
    ...(options.extra ?? []),
  ];
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileSet(): Hostile[] {
  const set: Hostile[] = [];
  const add = (what: string, callId: string, datagram: Buffer, expected: number | null) => set.push({ what, callId, datagram, expect: expected });
  const sdp = g711Offer("127.0.0.1", 40000);

  // Every 11th cut of a valid INVITE: inside the head there is no end of headers (dropped); inside the body Content-Length lies (400).
  const whole = Buffer.from(inviteText(attacker.local, engine.local, { callId: "fuzz-cut", to: "3612345000" }).replace(/\r?\n/g, "\r\n").replace("Content-Type: application/sdp\r\n", `Content-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n`).replace(/\r\n\r\n[\s\S]*$/, `\r\n\r\n${sdp}`), "latin1");
  const headEnd = whole.indexOf("\r\n\r\n") + 4;
  for (let cut = 1; cut < whole.length; cut += 11) add(`INVITE cut at byte ${cut}`, "fuzz-cut", whole.subarray(0, cut), cut > headEnd ? 400 : null);

  // Broken header lines: no request can be answered without readable headers.
  add("header without a colon", "fuzz-h1", request([...headers("OPTIONS", "fuzz-h1"), "Subject this has no colon"]), null);
  add("header name with a space", "fuzz-h2", request([...headers("OPTIONS", "fuzz-h2"), "Sub ject: x"]), null);
  add("folded line before any header", "fuzz-h3", request([headers("OPTIONS", "fuzz-h3")[0], " folded", ...headers("OPTIONS", "fuzz-h3").slice(1)]), null);
  add("101 header lines", "fuzz-h4", request([...headers("OPTIONS", "fuzz-h4"), ...Array.from({ length: 101 }, (_, i) => `X-Filler-${i}: ${i}`)]), null);
  add("no Call-ID", "fuzz-h5", request(headers("OPTIONS", "fuzz-h5").filter((line) => !line.startsWith("Call-ID"))), null);
  // A response must echo the CSeq, so one without a number cannot be answered.
  add("CSeq without a number", "fuzz-h6", request(headers("OPTIONS", "fuzz-h6").map((line) => (line.startsWith("CSeq") ? "CSeq: OPTIONS" : line))), null);
  add("SIP/3.0", "fuzz-h7", request(headers("OPTIONS", "fuzz-h7").map((line, i) => (i === 0 ? line.replace("SIP/2.0", "SIP/3.0") : line))), null);
  // Huge but well-formed: served.
  add("a 60 KB header value", "fuzz-huge", request([...headers("OPTIONS", "fuzz-huge"), `Subject: ${"x".repeat(60_000)}`]), 200);
  add("NUL bytes in a header value", "fuzz-nul", request([...headers("OPTIONS", "fuzz-nul"), "Subject: a\u0000b\u0000c"]), 200);

  // Content-Length lies.
  for (const [label, length] of [["negative", "-1"], ["not a number", "abc"], ["10 digits", "4294967295"], ["larger than the body", "500"]] as const) {
    add(`Content-Length ${label}`, `fuzz-cl-${label}`, request([...headers("INVITE", `fuzz-cl-${label}`), "Content-Type: application/sdp"], sdp, length), 400);
  }

  // Random binary, and a valid start line followed by binary.
  const next = random(13);
  for (let i = 0; i < 40; i++) {
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 1400) }, () => Math.floor(next() * 256)));
    add(`${bytes.length} random bytes`, `fuzz-bin-${i}`, bytes, null);
  }
  add("start line then binary", "fuzz-bin-tail", Buffer.concat([Buffer.from("OPTIONS sip:1@127.0.0.1 SIP/2.0\r\n"), Buffer.from(Array.from({ length: 300 }, () => Math.floor(next() * 256)))]), null);

  // Methods the edge does not take: 405 with Allow.
  for (const method of ["FOO", "PUBLISH", "SUBSCRIBE", "MESSAGE", "UPDATE"]) add(`${method} outside a dialog`, `fuzz-m-${method}`, request(headers(method, `fuzz-m-${method}`)), 405);
  // REFER is understood, but only inside a call the edge holds.
  add("REFER outside a dialog", "fuzz-m-REFER", request(headers("REFER", "fuzz-m-REFER")), 403);
  // Requests in dialogs that do not exist: 481.
  for (const method of ["BYE", "INFO", "INVITE"]) add(`${method} for an unknown dialog`, `fuzz-d-${method}`, request(headers(method, `fuzz-d-${method}`, { toTag: "nobody" })), 481);
  // A response to nothing is dropped.
  add("a stray 200 OK", "fuzz-stray", Buffer.from(`SIP/2.0 200 OK\r\n${headers("INVITE", "fuzz-stray").slice(1).join("\r\n")}\r\nContent-Length: 0\r\n\r\n`), null);
  // Calls the edge must refuse.
  add("INVITE with Max-Forwards: 0", "fuzz-mf", request(headers("INVITE", "fuzz-mf").map((line) => (line.startsWith("Max-Forwards") ? "Max-Forwards: 0" : line)).concat("Content-Type: application/sdp"), sdp), 483);
  add("INVITE without an offer", "fuzz-no-sdp", request(headers("INVITE", "fuzz-no-sdp")), 488);
  add("INVITE offering only G.729 and GSM", "fuzz-codec", request([...headers("INVITE", "fuzz-codec"), "Content-Type: application/sdp"], g711Offer("127.0.0.1", 40000, "18 3 101")), 488);
  add("INVITE with an SDP of garbage", "fuzz-sdp", request([...headers("INVITE", "fuzz-sdp"), "Content-Type: application/sdp"], "v=banana\r\nm=audio x\r\n"), 488);
  return set;
}

it("a generated hostile message set: each datagram answered as its kind calls for or dropped and logged; no handler throws; the edge still takes calls", { timeout: 60_000 }, async () => {
  const set = hostileSet();
  expect(set.length).toBeGreaterThan(100);
  let probes = 0;
  const finalsFor = (callId: string) => attacker.responses().filter((response) => headerValue(response, "call-id") === callId && response.status >= 200);
  for (const [index, hostile] of set.entries()) {
    attacker.udp.send(hostile.datagram, engine.local.port);
    if (hostile.expect !== null) {
      // One at a time (every cut of the INVITE shares a Call-ID): wait for this one's answer.
      const before = index === 0 ? 0 : set.slice(0, index).filter((earlier) => earlier.callId === hostile.callId && earlier.expect !== null).length;
      await attacker.until(() => finalsFor(hostile.callId).length > before, 3000).catch(() => undefined);
      expect(finalsFor(hostile.callId).map((response) => response.status).at(before), hostile.what).toBe(hostile.expect);
    } else if (index % 10 === 0) {
      // An OPTIONS after the dropped ones: answered only once the edge has read everything before it (one socket, in order).
      const probe = `fuzz-probe-${++probes}`;
      attacker.udp.send(request(headers("OPTIONS", probe)), engine.local.port);
      await attacker.until(() => finalsFor(probe).length === 1);
    }
  }
  const lastProbe = "fuzz-probe-last";
  attacker.udp.send(request(headers("OPTIONS", lastProbe)), engine.local.port);
  await attacker.until(() => finalsFor(lastProbe).length === 1);

  // What was to be dropped got no answer at all.
  for (const hostile of set.filter((candidate) => candidate.expect === null && !candidate.callId.startsWith("fuzz-cut"))) {
    expect(finalsFor(hostile.callId), hostile.what).toEqual([]);
  }
  const cutAnswers = finalsFor("fuzz-cut").length;
  expect(cutAnswers).toBe(set.filter((hostile) => hostile.callId === "fuzz-cut" && hostile.expect === 400).length);
  // Nothing threw inside the edge, nothing reached call control, and the drops were logged up to the budget.
  expect(logged.filter((entry) => entry.level === "error")).toEqual([]);
  expect(events).toEqual([]);
  expect(logged.filter((entry) => entry.message === "SIP edge: malformed message refused")).toHaveLength(MALFORMED_LOGS_PER_MINUTE);

  // Still serving: a real call rings.
  attacker.send(inviteText(attacker.local, engine.local, { callId: "after-fuzz", to: "3612345000", rtpPort: 40000 }), engine.local);
  await attacker.until((peer) => peer.responses("INVITE").some((response) => headerValue(response, "call-id") === "after-fuzz" && response.status === 180));
  expect(events.map((event) => event.type)).toEqual(["leg.incoming"]);
});
