import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNameAddress, parseSipUri, tagOf, userOf } from "./address";
import { headerValue, headerValues, MAX_MESSAGE_BYTES, parseMessage, responseTo, serializeMessage, type SipRequest } from "./message";

const INVITE = [
  "INVITE sip:3612345000@10.0.0.1:5060 SIP/2.0",
  "v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-1, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-0",
  'f: "Kiss, Anna" <sip:+3611112222@10.0.0.2>;tag=abc',
  "t: <sip:3612345000@10.0.0.1>",
  "i: call-1@10.0.0.2",
  "CSeq: 1 INVITE",
  "Subject: folded",
  "  across lines",
  "c: application/sdp",
  "l: 5",
  "",
  "v=0\r\nextra bytes beyond Content-Length",
].join("\r\n");

function parseRequest(text: string): SipRequest {
  const parsed = parseMessage(Buffer.from(text, "latin1"));
  if (!parsed.ok || parsed.message.kind !== "request") throw new Error(`not parsed: ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe("parsing SIP", () => {
  it("reads a request: compact headers expanded, folded lines joined, the body cut at Content-Length", () => {
    const invite = parseRequest(INVITE);
    expect(invite.method).toBe("INVITE");
    expect(invite.uri).toBe("sip:3612345000@10.0.0.1:5060");
    expect(headerValue(invite, "call-id")).toBe("call-1@10.0.0.2");
    expect(headerValue(invite, "subject")).toBe("folded across lines");
    expect(headerValue(invite, "via")).toBe("SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK-1");
    expect(headerValues(invite, "via")).toHaveLength(2);
    expect(invite.body.toString()).toBe("v=0\r\n");
  });

  it("reads a response, and writes a message back that parses to the same thing", () => {
    const parsed = parseMessage(Buffer.from("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"));
    expect(parsed.ok && parsed.message.kind === "response" && parsed.message.status).toBe(180);
    const invite = parseRequest(INVITE);
    const again = parseRequest(serializeMessage(invite).toString("latin1"));
    expect(again).toEqual(invite);
    expect(serializeMessage(invite).toString("latin1")).toContain("Call-ID: call-1@10.0.0.2\r\n");
  });

  it("answers with Via, From, Call-ID and CSeq copied and our tag on To", () => {
    const response = responseTo(parseRequest(INVITE), 486, "Busy Here", { toTag: "edge1" });
    expect(headerValues(response, "via")).toHaveLength(2);
    expect(tagOf(headerValue(response, "to"))).toBe("edge1");
    expect(tagOf(headerValue(response, "from"))).toBe("abc");
    expect(headerValue(response, "cseq")).toBe("1 INVITE");
  });

  it.each([
    ["garbage", "\u0000\u0001hello world"],
    ["no end of headers", "INVITE sip:a@b SIP/2.0\r\nVia: x"],
    ["a bad start line", "HELLO THERE\r\nVia: x\r\n\r\n"],
    ["a header line without a colon", "OPTIONS sip:a@b SIP/2.0\r\nthis is not a header\r\n\r\n"],
    ["no Call-ID", "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCSeq: 1 OPTIONS\r\n\r\n"],
  ])("refuses %s without anything to answer", (_name, text) => {
    const parsed = parseMessage(Buffer.from(text, "latin1"));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.answerable).toBeNull();
  });

  it.each([
    ["a Content-Length larger than the body", "999999999"],
    ["a Content-Length that is not a number", "12abc"],
  ])("refuses %s but keeps the request so it can be answered 400", (_name, length) => {
    const text = `INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: ${length}\r\n\r\nv=0`;
    const parsed = parseMessage(Buffer.from(text));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.answerable?.method).toBe("INVITE");
  });

  it("refuses a datagram larger than UDP can carry", () => {
    expect(parseMessage(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 65)).ok).toBe(false);
  });

  it("never throws, whatever the bytes (random data and mutated real messages)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        parseMessage(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
    const original = Buffer.from(INVITE, "latin1");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), fc.nat(original.length), (edits, cut) => {
        const mutated = Buffer.from(original.subarray(0, cut));
        for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
        const parsed = parseMessage(mutated);
        if (parsed.ok) {
          headerValue(parsed.message, "from");
          userOf(headerValue(parsed.message, "from"));
          tagOf(headerValue(parsed.message, "to"));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("SIP addresses", () => {
  it("reads name-addr with display name and tag, and addr-spec whose parameters belong to the header", () => {
    expect(parseNameAddress('"Kiss, Anna" <sip:+3611112222@10.0.0.2;user=phone>;tag=abc')).toEqual({
      displayName: "Kiss, Anna",
      uri: "sip:+3611112222@10.0.0.2;user=phone",
      params: { tag: "abc" },
    });
    expect(parseNameAddress("sip:101@pbx.example;tag=9")).toEqual({ displayName: null, uri: "sip:101@pbx.example", params: { tag: "9" } });
    expect(parseNameAddress("<sip:unterminated")).toBeNull();
  });

  it("reads SIP URIs and the user part as a number", () => {
    expect(parseSipUri("sip:%2B3612345000@10.0.0.1:5080;transport=udp")).toEqual({ scheme: "sip", user: "+3612345000", host: "10.0.0.1", port: 5080 });
    expect(parseSipUri("sip:10.0.0.1")).toEqual({ scheme: "sip", user: null, host: "10.0.0.1", port: null });
    expect(parseSipUri("sip:a@b:99999")).toBeNull();
    expect(parseSipUri("http://example.com")).toBeNull();
    expect(userOf("<sip:%ZZ@host>")).toBeNull();
  });
});
