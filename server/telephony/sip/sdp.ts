/**
 * SDP offer/answer (RFC 3264) for one audio stream: the edge speaks G.711
 * (PCMA, PCMU) and RFC 4733 telephone-events, nothing else. Parsing and
 * writing SDP is `sdp-transform`'s job; choosing what to answer is ours.
 */
import { parse, write, type SessionDescription } from "sdp-transform";

export type G711Name = "PCMA" | "PCMU";

/** Static payload types of RFC 3551. */
const STATIC_G711: Record<number, G711Name> = { 0: "PCMU", 8: "PCMA" };

export interface NegotiatedMedia {
  codec: G711Name;
  payloadType: number;
  /** The offer's telephone-event payload type, or null when it offered none (no RFC 4733 digits then). */
  telephoneEventPayloadType: number | null;
  /** Where the far end wants its RTP. */
  remote: { address: string; port: number };
  direction: "sendrecv" | "sendonly" | "recvonly" | "inactive";
}

export type Negotiation = { ok: true; media: NegotiatedMedia } | { ok: false; problem: string };

const MAX_SDP_BYTES = 16 * 1024;

/** Picks the offer's first G.711 codec (the offerer's preference order, RFC 3264 §6.1). */
export function negotiateOffer(offer: string): Negotiation {
  if (offer.length > MAX_SDP_BYTES) return { ok: false, problem: "SDP too large" };
  let session: SessionDescription;
  try {
    session = parse(offer);
  } catch {
    return { ok: false, problem: "unreadable SDP" };
  }
  const audio = (session.media ?? []).find((media) => media.type === "audio" && media.port > 0 && /^RTP\/AVPF?$/.test(media.protocol));
  if (!audio) return { ok: false, problem: "no RTP audio stream offered" };
  const connection = audio.connection ?? session.connection;
  if (!connection || connection.version !== 4 || !isIpv4(connection.ip)) return { ok: false, problem: "no IPv4 connection address" };
  if (audio.port > 65535) return { ok: false, problem: "invalid media port" };

  const rtpmap = new Map((audio.rtp ?? []).map((entry) => [entry.payload, entry]));
  let chosen: { name: G711Name; payloadType: number } | null = null;
  let telephoneEvent: number | null = null;
  for (const token of String(audio.payloads ?? "").split(/\s+/)) {
    if (!/^\d{1,3}$/.test(token)) continue;
    const payloadType = Number(token);
    const mapped = rtpmap.get(payloadType);
    const name = mapped ? mapped.codec.toUpperCase() : STATIC_G711[payloadType];
    const rate = mapped?.rate ?? 8000;
    if (!chosen && (name === "PCMA" || name === "PCMU") && rate === 8000) chosen = { name, payloadType };
    if (telephoneEvent === null && name === "TELEPHONE-EVENT" && rate === 8000) telephoneEvent = payloadType;
  }
  if (!chosen) return { ok: false, problem: "no common codec (PCMA or PCMU)" };
  return {
    ok: true,
    media: {
      codec: chosen.name,
      payloadType: chosen.payloadType,
      telephoneEventPayloadType: telephoneEvent,
      remote: { address: connection.ip, port: audio.port },
      direction: audio.direction ?? session.direction ?? "sendrecv",
    },
  };
}

const ANSWER_DIRECTION: Record<NegotiatedMedia["direction"], NegotiatedMedia["direction"]> = {
  sendrecv: "sendrecv",
  sendonly: "recvonly",
  recvonly: "sendonly",
  inactive: "inactive",
};

export function answerSdp(media: NegotiatedMedia, local: { address: string; port: number }, sessionId: number): string {
  return describeAudio([{ payload: media.payloadType, codec: media.codec }], media.telephoneEventPayloadType, ANSWER_DIRECTION[media.direction], local, sessionId);
}

/** What the edge offers when it calls a phone: PCMA, PCMU and telephone-events (payload type 101). */
export function offerSdp(local: { address: string; port: number }, sessionId: number): string {
  return describeAudio([{ payload: 8, codec: "PCMA" }, { payload: 0, codec: "PCMU" }], 101, "sendrecv", local, sessionId);
}

function describeAudio(
  codecs: { payload: number; codec: G711Name }[],
  telephoneEventPayloadType: number | null,
  direction: NegotiatedMedia["direction"],
  local: { address: string; port: number },
  sessionId: number,
): string {
  const rtp: { payload: number; codec: string; rate: number }[] = codecs.map((codec) => ({ ...codec, rate: 8000 }));
  const fmtp: { payload: number; config: string }[] = [];
  const payloads = codecs.map((codec) => codec.payload);
  if (telephoneEventPayloadType !== null) {
    rtp.push({ payload: telephoneEventPayloadType, codec: "telephone-event", rate: 8000 });
    fmtp.push({ payload: telephoneEventPayloadType, config: "0-16" });
    payloads.push(telephoneEventPayloadType);
  }
  return write({
    version: 0,
    origin: { username: "-", sessionId, sessionVersion: 1, netType: "IN", ipVer: 4, address: local.address },
    name: "Switchboard",
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: "audio",
        port: local.port,
        protocol: "RTP/AVP",
        payloads: payloads.join(" "),
        rtp,
        fmtp,
        ptime: 20,
        direction,
      },
    ],
  });
}

function isIpv4(address: string): boolean {
  const parts = address.split(".");
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}
