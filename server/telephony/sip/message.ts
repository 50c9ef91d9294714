/**
 * SIP messages (RFC 3261 §7) as plain data: parsing one UDP datagram into a
 * request or a response, and serialising one back. Everything that arrives
 * from the network is hostile: the parser never throws, bounds every size,
 * and says why it refused a datagram. When a refused datagram still is a
 * request with the headers a response needs (Via, From, To, Call-ID, CSeq),
 * it is handed back as `answerable` so the transport can reply 400.
 *
 * Written by hand rather than with npm's `sip` (an unmaintained parser and
 * transaction layer in one): a strict parser is the security boundary here,
 * and the whole format needs ~150 lines.
 */

/** A UDP datagram larger than this is not SIP we accept (RFC 3261 §18.1.1 keeps UDP requests well under it). */
export const MAX_MESSAGE_BYTES = 65_535;
const MAX_HEADER_LINES = 100;

export interface SipHeader {
  /** Lower-case long form: "via", "call-id", "content-length" (compact forms are expanded). */
  name: string;
  value: string;
}

interface SipMessageBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: "request";
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: "response";
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export type ParseResult =
  | { ok: true; message: SipMessage }
  | { ok: false; problem: string; answerable: SipRequest | null };

/** RFC 3261 §7.3.3 compact forms, plus the common extension ones. */
const COMPACT_FORMS: Record<string, string> = {
  v: "via",
  f: "from",
  t: "to",
  i: "call-id",
  m: "contact",
  l: "content-length",
  c: "content-type",
  e: "content-encoding",
  k: "supported",
  s: "subject",
  o: "event",
  r: "refer-to",
  b: "referred-by",
  u: "allow-events",
  x: "session-expires",
};

/** How header names are written on the wire (anything else is written capitalised per word). */
const CANONICAL_NAMES: Record<string, string> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "max-forwards": "Max-Forwards",
};

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;
/** Headers a response to a request copies from it (RFC 3261 §8.2.6.2). */
const RESPONSE_HEADERS = ["via", "from", "to", "call-id", "cseq"] as const;

export function parseMessage(datagram: Buffer): ParseResult {
  if (datagram.length > MAX_MESSAGE_BYTES) return refused("datagram too large", null);
  const headEnd = datagram.indexOf("\r\n\r\n");
  // Some peers end lines with a bare LF; accept it for the head, never mix within one message.
  const bareLf = headEnd < 0 ? datagram.indexOf("\n\n") : -1;
  if (headEnd < 0 && bareLf < 0) return refused("no end of headers", null);
  const head = datagram.toString("latin1", 0, headEnd >= 0 ? headEnd : bareLf);
  const bodyStart = headEnd >= 0 ? headEnd + 4 : bareLf + 2;
  const lines = head.split(headEnd >= 0 ? "\r\n" : "\n");
  // RFC 3261 §7.5: keep-alive CRLFs may precede a message.
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const startLine = lines.shift();
  if (startLine === undefined) return refused("empty message", null);
  const headers = parseHeaderLines(lines);
  if (!headers) return refused("malformed header lines", null);

  const requestMatch = REQUEST_LINE.exec(startLine);
  const statusMatch = requestMatch ? null : STATUS_LINE.exec(startLine);
  if (!requestMatch && !statusMatch) return refused("malformed start line", null);
  const bodyAvailable = datagram.subarray(bodyStart);
  const shell: SipMessage = requestMatch
    ? { kind: "request", method: requestMatch[1].toUpperCase(), uri: requestMatch[2], headers, body: Buffer.alloc(0) }
    : { kind: "response", status: Number(statusMatch![1]), reason: statusMatch![2], headers, body: Buffer.alloc(0) };
  const answerable = shell.kind === "request" && hasResponseHeaders(shell) ? shell : null;

  for (const name of RESPONSE_HEADERS) {
    if (headerValue(shell, name) === undefined) return refused(`missing ${name} header`, null);
  }
  if (!parseCSeq(headerValue(shell, "cseq")!)) return refused("malformed CSeq", answerable);

  const lengthHeader = headerValue(shell, "content-length");
  let bodyLength = bodyAvailable.length;
  if (lengthHeader !== undefined) {
    if (!/^\d{1,9}$/.test(lengthHeader)) return refused("malformed Content-Length", answerable);
    bodyLength = Number(lengthHeader);
    // RFC 3261 §18.3: over UDP, a body shorter than Content-Length is an error; extra bytes are ignored.
    if (bodyLength > bodyAvailable.length) return refused("Content-Length larger than the body", answerable);
  }
  shell.body = Buffer.from(bodyAvailable.subarray(0, bodyLength));
  return { ok: true, message: shell };
}

function refused(problem: string, answerable: SipRequest | null): ParseResult {
  return { ok: false, problem, answerable };
}

function parseHeaderLines(lines: string[]): SipHeader[] | null {
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) {
      // Folded continuation of the previous header (RFC 3261 §7.3.1).
      const previous = headers.at(-1);
      if (!previous) return null;
      previous.value = `${previous.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN.test(rawName)) return null;
    const lower = rawName.toLowerCase();
    headers.push({ name: COMPACT_FORMS[lower] ?? lower, value: line.slice(colon + 1).trim() });
    if (headers.length > MAX_HEADER_LINES) return null;
  }
  return headers;
}

function hasResponseHeaders(message: SipMessage): boolean {
  return RESPONSE_HEADERS.every((name) => headerValue(message, name) !== undefined) && parseCSeq(headerValue(message, "cseq")!) !== null;
}

/** The first value of a header (for a comma-separated list such as Via: its first element). */
export function headerValue(message: Pick<SipMessage, "headers">, name: string): string | undefined {
  const header = message.headers.find((candidate) => candidate.name === name);
  if (!header) return undefined;
  return name === "via" ? splitHeaderList(header.value)[0] : header.value;
}

/** Every value of a header, comma-separated lists split (quotes and angle brackets respected). */
export function headerValues(message: Pick<SipMessage, "headers">, name: string): string[] {
  return message.headers.filter((header) => header.name === name).flatMap((header) => splitHeaderList(header.value));
}

function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "\\" && quoted) {
      current += char + (value[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === "<") angle = true;
    else if (!quoted && char === ">") angle = false;
    if (char === "," && !quoted && !angle) {
      if (current.trim()) parts.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export function parseCSeq(value: string): { seq: number; method: string } | null {
  const match = /^(\d{1,10})\s+(\S+)$/.exec(value.trim());
  if (!match || !TOKEN.test(match[2])) return null;
  const seq = Number(match[1]);
  return seq < 2 ** 31 ? { seq, method: match[2].toUpperCase() } : null;
}

function wireName(name: string): string {
  return CANONICAL_NAMES[name] ?? name.replace(/(^|-)([a-z])/g, (_all, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Writes a message; Content-Length always states the body's real size. */
export function serializeMessage(message: SipMessage): Buffer {
  const startLine = message.kind === "request" ? `${message.method} ${message.uri} SIP/2.0` : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [startLine];
  for (const header of message.headers) {
    if (header.name !== "content-length") lines.push(`${wireName(header.name)}: ${header.value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), message.body]);
}

/**
 * A response to `request` (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq
 * copied, To copied with our tag added when given and not already there.
 */
export function responseTo(
  request: SipRequest,
  status: number,
  reason: string,
  options: { toTag?: string; headers?: SipHeader[]; body?: Buffer } = {},
): SipResponse {
  const headers: SipHeader[] = [];
  for (const header of request.headers) {
    if (header.name === "via" || header.name === "from" || header.name === "call-id" || header.name === "cseq") headers.push({ ...header });
    if (header.name === "to") {
      const tagged = options.toTag && !/;\s*tag=/i.test(header.value) ? `${header.value};tag=${options.toTag}` : header.value;
      headers.push({ name: "to", value: tagged });
    }
  }
  return { kind: "response", status, reason, headers: [...headers, ...(options.headers ?? [])], body: options.body ?? Buffer.alloc(0) };
}
