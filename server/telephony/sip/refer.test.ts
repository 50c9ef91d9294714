import { describe, expect, it } from "vitest";
import { parseMessage, type SipRequest } from "./message";
import { readRefer, referNotify } from "./refer";

function refer(...referTo: string[]): SipRequest {
  const text = [
    "REFER sip:switchboard@127.0.0.1:5060 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-refer",
    "From: <sip:101@127.0.0.1>;tag=a",
    "To: <sip:+3611112222@127.0.0.1>;tag=b",
    "Call-ID: refer-test",
    "CSeq: 7 REFER",
    ...referTo,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== "request") throw new Error("unparsable test REFER");
  return parsed.message;
}

describe("readRefer", () => {
  it("takes the Refer-To URI's user part as the number, in the long or compact header form, for extensions and external numbers", () => {
    expect(readRefer(refer("Refer-To: <sip:102@pbx.example.com>"))).toEqual({ kind: "blind", to: "102" });
    expect(readRefer(refer("r: \"Sales\" <sips:+3612345678@pbx.example.com;transport=tls>"))).toEqual({ kind: "blind", to: "+3612345678" });
    expect(readRefer(refer("Refer-To: sip:103@127.0.0.1:5060"))).toEqual({ kind: "blind", to: "103" });
  });

  it("tells an attended transfer (a Replaces URI header) from a blind one", () => {
    expect(readRefer(refer("Refer-To: <sip:102@127.0.0.1?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>"))).toEqual({ kind: "attended", to: "102" });
    expect(readRefer(refer("Refer-To: <sip:102@127.0.0.1?Subject=hello>"))).toEqual({ kind: "blind", to: "102" });
  });

  it("finds nothing usable without exactly one Refer-To naming a number", () => {
    expect(readRefer(refer())).toEqual({ kind: "unusable", problem: "no Refer-To" });
    expect(readRefer(refer("Refer-To: <sip:102@a>", "Refer-To: <sip:103@a>"))).toEqual({ kind: "unusable", problem: "more than one Refer-To" });
    for (const target of ["<sip:alice@127.0.0.1>", "<sip:127.0.0.1>", "<tel:+3612345678>", "<sip:10%0D%0A2@a>", "garbage"]) {
      expect(readRefer(refer(`Refer-To: ${target}`))).toEqual({ kind: "unusable", problem: "Refer-To names no number" });
    }
  });
});

it("referNotify: the terminated refer subscription with the outcome as a sipfrag", () => {
  const notify = referNotify(7, 603, "Declined");
  expect(notify.headers).toEqual([
    { name: "event", value: "refer;id=7" },
    { name: "subscription-state", value: "terminated;reason=noresource" },
    { name: "content-type", value: "message/sipfrag;version=2.0" },
  ]);
  expect(notify.body.toString()).toBe("SIP/2.0 603 Declined\r\n");
});
