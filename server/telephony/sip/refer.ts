/**
 * Blind transfer by SIP REFER (RFC 3515, RFC 5589 §6): what a phone's REFER
 * asks for, and the NOTIFY that tells it how the transfer went. The engine
 * decides; these are the message parts.
 */
import { parseNameAddress, parseSipUri } from "./address";
import { headerValues, type SipHeader, type SipRequest } from "./message";

/** What a number in a Refer-To may be: an extension or an external number (call control decides which it accepts). */
const TRANSFER_NUMBER = /^\+?[0-9*#]{1,32}$/;

export type ReferRequest =
  /** A blind transfer to this number (the Refer-To URI's user part). */
  | { kind: "blind"; to: string }
  /** Refer-To carries a Replaces header: an attended transfer, which the edge does not do. */
  | { kind: "attended"; to: string }
  /** No single usable Refer-To: the REFER gets this final response. */
  | { kind: "unusable"; problem: string };

export function readRefer(refer: SipRequest): ReferRequest {
  const values = headerValues(refer, "refer-to");
  if (values.length !== 1) return { kind: "unusable", problem: values.length === 0 ? "no Refer-To" : "more than one Refer-To" };
  const uri = parseNameAddress(values[0])?.uri ?? "";
  const user = parseSipUri(uri)?.user ?? null;
  if (!user || !TRANSFER_NUMBER.test(user)) return { kind: "unusable", problem: "Refer-To names no number" };
  // URI headers (`?Replaces=…`) are how an attended transfer names the consultation call (RFC 3891 §3).
  const uriHeaders = uri.includes("?") ? uri.slice(uri.indexOf("?") + 1) : "";
  if (/(^|&)replaces=/i.test(uriHeaders)) return { kind: "attended", to: user };
  return { kind: "blind", to: user };
}

/**
 * The one NOTIFY a REFER gets (the edge reports only the final outcome, so the implicit
 * subscription ends with it): `Subscription-State: terminated`, the status as a sipfrag.
 */
export function referNotify(referCSeq: number, status: number, reason: string): { headers: SipHeader[]; body: Buffer } {
  return {
    headers: [
      { name: "event", value: `refer;id=${referCSeq}` },
      { name: "subscription-state", value: "terminated;reason=noresource" },
      { name: "content-type", value: "message/sipfrag;version=2.0" },
    ],
    body: Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`, "utf8"),
  };
}
