import { describe, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { decodeG711, encodeG711 } from "./g711";
import { FramePacer } from "./pacer";
import { buildRtp, buildTelephoneEvent, DtmfDecoder, parseRtp, type RtpPacket } from "./rtp";
import { answerSdp, negotiateOffer } from "./sdp";
import { g711Offer } from "./testing/sipTestPeer";

describe("SDP offer/answer", () => {
  it("takes the offer's first G.711 codec and its telephone-event payload type", () => {
    const offer = negotiateOffer(g711Offer("192.0.2.7", 4000, "0 8 101"));
    expect(offer).toEqual({
      ok: true,
      media: { codec: "PCMU", payloadType: 0, telephoneEventPayloadType: 101, remote: { address: "192.0.2.7", port: 4000 }, direction: "sendrecv" },
    });
    expect(negotiateOffer(g711Offer("192.0.2.7", 4000, "18 8")).ok && negotiateOffer(g711Offer("192.0.2.7", 4000, "18 8"))).toMatchObject({
      media: { codec: "PCMA", telephoneEventPayloadType: null },
    });
  });

  it.each([
    ["only G.729", g711Offer("192.0.2.7", 4000, "18 101"), "no common codec (PCMA or PCMU)"],
    ["no audio", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n", "no RTP audio stream offered"],
    ["an IPv6 address", g711Offer("192.0.2.7", 4000).replaceAll("IN IP4 192.0.2.7", "IN IP6 ::1"), "no IPv4 connection address"],
    ["garbage", "this is not SDP at all", "no RTP audio stream offered"],
  ])("refuses an offer with %s", (_name, sdp, problem) => {
    expect(negotiateOffer(sdp)).toEqual({ ok: false, problem });
  });

  it("answers with the chosen codec, telephone-events, our address and port", () => {
    const negotiated = negotiateOffer(g711Offer("192.0.2.7", 4000));
    if (!negotiated.ok) throw new Error("offer refused");
    const answer = answerSdp(negotiated.media, { address: "198.51.100.1", port: 30000 }, 42);
    expect(answer).toContain("c=IN IP4 198.51.100.1");
    expect(answer).toContain("m=audio 30000 RTP/AVP 8 101");
    expect(answer).toContain("a=rtpmap:8 PCMA/8000");
    expect(answer).toContain("a=fmtp:101 0-16");
    // The answer is itself a valid offer for the same media.
    expect(negotiateOffer(answer)).toMatchObject({ ok: true, media: { codec: "PCMA", remote: { address: "198.51.100.1", port: 30000 } } });
  });
});

const event = (digit: number, timestamp: number, end: boolean, ssrc = 7): RtpPacket => ({
  payloadType: 101,
  marker: !end,
  sequence: 1,
  timestamp,
  ssrc,
  payload: buildTelephoneEvent({ event: digit, end, volume: 10, duration: 160 }),
});

describe("RTP and RFC 4733 digits", () => {
  it("writes and reads RTP packets; refuses what is not RTP", () => {
    const packet: RtpPacket = { payloadType: 8, marker: true, sequence: 65535, timestamp: 2 ** 32 - 1, ssrc: 123456, payload: Buffer.from([1, 2, 3]) };
    expect(parseRtp(buildRtp(packet))).toEqual(packet);
    expect(parseRtp(Buffer.from("hello, not rtp"))).toBeNull();
    expect(parseRtp(Buffer.alloc(5))).toBeNull();
    const withBadPadding = buildRtp(packet);
    withBadPadding[0] |= 0x20;
    withBadPadding[withBadPadding.length - 1] = 200;
    expect(parseRtp(withBadPadding)).toBeNull();
  });

  it("reports one digit per key press: start, updates and the triple end packet count once", () => {
    const decoder = new DtmfDecoder();
    const heard = [event(1, 1000, false), event(1, 1000, false), event(1, 1000, true), event(1, 1000, true), event(1, 1000, true)].map((p) => decoder.accept(p));
    expect(heard.filter((digit) => digit !== null)).toEqual(["1"]);
    // The same key pressed again is a new event (new timestamp); a lost start packet still counts.
    expect(decoder.accept(event(1, 2000, true))).toBe("1");
    expect(decoder.accept(event(11, 3000, false))).toBe("#");
    expect(decoder.accept(event(10, 4000, false))).toBe("*");
    // Events above 15 are not DTMF (e.g. tones) and are ignored.
    expect(decoder.accept(event(40, 5000, false))).toBeNull();
  });
});

describe("G.711", () => {
  it("encodes and decodes within the codec's quantisation error", () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    for (const codec of ["PCMA", "PCMU"] as const) {
      const decoded = decodeG711(codec, encodeG711(codec, pcm));
      const worst = Math.max(...pcm.map((sample, i) => Math.abs(sample - decoded[i])));
      expect(worst).toBeLessThan(300);
      expect(encodeG711(codec, pcm)).toHaveLength(160);
    }
  });
});

describe("the frame pacer", () => {
  it("sends one frame per stream every 20 ms and stops with the last stream", () => {
    const clock = new ManualClock();
    const pacer = new FramePacer(clock);
    const counts = [0, 0];
    const streams = counts.map((_, i) => ({ sendFrame: () => counts[i]++ }));
    pacer.add(streams[0]);
    pacer.add(streams[1]);
    clock.advance(100);
    expect(counts).toEqual([5, 5]);
    pacer.remove(streams[1]);
    clock.advance(40);
    expect(counts).toEqual([7, 5]);
    pacer.remove(streams[0]);
    clock.advance(1000);
    expect(counts).toEqual([7, 5]);
  });

  it("after a stall sends at most 3 late frames, then keeps its 20 ms rhythm", () => {
    const clock = new ManualClock();
    let stall = 0;
    const stalling = { now: () => clock.now() + stall, setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) };
    const pacer = new FramePacer(stalling);
    let frames = 0;
    pacer.add({ sendFrame: () => frames++ });
    clock.advance(20);
    expect(frames).toBe(1);
    stall = 200; // the event loop was blocked for 10 frames
    clock.advance(20);
    expect(frames).toBe(4);
    clock.advance(40);
    expect(frames).toBe(6);
  });
});
