import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import { canonicalAddress, literalRefusal, parseNetworkPolicy, refusal } from "./networkPolicy";
import { HttpSender } from "./httpSender";
import { TestReceiver } from "./testing/receiver";

const request = (url: string) => ({ url, method: "POST", headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 2_000 });

describe("address classification", () => {
  it("sees IPv4 behind IPv4-mapped and IPv4-compatible IPv6 spellings", () => {
    expect(canonicalAddress("::ffff:127.0.0.1")).toEqual({ address: "127.0.0.1", family: "ipv4" });
    expect(canonicalAddress("[::ffff:7f00:1]")).toEqual({ address: "127.0.0.1", family: "ipv4" });
    expect(canonicalAddress("0:0:0:0:0:ffff:a9fe:a9fe")).toEqual({ address: "169.254.169.254", family: "ipv4" });
    expect(canonicalAddress("::1")).toEqual({ address: "::1", family: "ipv6" });
    expect(canonicalAddress("2001:db8::1")).toEqual({ address: "2001:db8::1", family: "ipv6" });
  });

  it("always refuses link-local and cloud metadata addresses, whatever the mode", () => {
    for (const mode of ["allow-lan", "public-only", "169.254.0.0/16,fe80::/10,metadata.internal"]) {
      const policy = parseNetworkPolicy(mode);
      for (const address of ["169.254.169.254", "::ffff:169.254.169.254", "100.100.100.200", "fd00:ec2::254", "fe80::1", "0.0.0.0"]) {
        expect(refusal(policy, "metadata.internal", address)?.reason, `${mode} ${address}`).toBe("metadata");
      }
    }
  });

  it("public-only refuses loopback, private, CGNAT and ULA ranges; allow-lan permits them", () => {
    const publicOnly = parseNetworkPolicy("public-only");
    const lan = parseNetworkPolicy("allow-lan");
    for (const address of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "100.64.0.1", "::1", "fd12::1", "::ffff:10.0.0.1"]) {
      expect(refusal(publicOnly, "h", address)?.reason, address).toBe("not_public");
      expect(refusal(lan, "h", address), address).toBeNull();
    }
    expect(refusal(publicOnly, "h", "93.184.216.34")).toBeNull();
    expect(refusal(publicOnly, "h", "2606:2800:220:1::1")).toBeNull();
  });

  it("an allow-list admits only its hosts (exact or *.suffix) and ranges", () => {
    const policy = parseNetworkPolicy("crm.example.com, *.minicrm.hu, 10.20.0.0/16");
    expect(refusal(policy, "crm.example.com", "203.0.113.5")).toBeNull();
    expect(refusal(policy, "r3.minicrm.hu", "198.51.100.7")).toBeNull();
    expect(refusal(policy, "evil.example.com", "10.20.3.4")).toBeNull();
    expect(refusal(policy, "evil.example.com", "10.21.3.4")?.reason).toBe("not_allowed");
    expect(() => parseNetworkPolicy("crm.example.com, not a host!")).toThrow(/OUTBOUND_NETWORK/);
  });

  it("refuses an IP-literal URL when the form is saved", () => {
    expect(literalRefusal(parseNetworkPolicy("allow-lan"), "http://169.254.169.254/latest/meta-data")?.reason).toBe("metadata");
    expect(literalRefusal(parseNetworkPolicy("allow-lan"), "https://crm.example.com/hook")).toBeNull();
  });
});

describe("the policy at connect time (real sockets)", () => {
  let receiver: TestReceiver;
  let port: number;
  beforeEach(async () => {
    receiver = new TestReceiver();
    port = Number(new URL(await receiver.listen()).port);
  });
  afterEach(async () => {
    await receiver.close();
  });

  it("public-only refuses 127.0.0.1, [::ffff:127.0.0.1] and a name resolving to loopback, without a request reaching the receiver", async () => {
    const sender = new HttpSender({ policy: parseNetworkPolicy("public-only"), clock: systemClock });
    try {
      for (const url of [`http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`]) {
        const result = await sender.send(request(url));
        expect(result.error?.class, url).toBe("network_policy");
        expect(result.error?.message).toMatch(/public-only/);
      }
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it("refuses 169.254.169.254 even under allow-lan, at once", async () => {
    const sender = new HttpSender({ policy: parseNetworkPolicy("allow-lan"), clock: systemClock });
    try {
      const result = await sender.send(request("http://169.254.169.254/latest/meta-data/"));
      expect(result.error?.class).toBe("network_policy");
      expect(result.error?.message).toMatch(/metadata/);
      expect(result.latencyMs).toBeLessThan(500);
    } finally {
      await sender.close();
    }
  });

  it("never follows a redirect to a private address", async () => {
    receiver.respond = () => ({ status: 307, headers: { location: "http://10.0.0.1/admin" } });
    const sender = new HttpSender({ policy: parseNetworkPolicy("allow-lan"), clock: systemClock });
    try {
      const result = await sender.send(request(receiver.url()));
      expect(result.response?.status).toBe(307);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await sender.close();
    }
  });

  it("names a TLS failure, a refused connection and a missing host in plain terms", async () => {
    const sender = new HttpSender({ policy: parseNetworkPolicy("allow-lan"), clock: systemClock });
    try {
      expect((await sender.send(request(`https://127.0.0.1:${port}/`))).error?.class).toBe("tls");
      await receiver.close();
      expect((await sender.send(request(`http://127.0.0.1:${port}/`))).error?.class).toBe("connection_refused");
      expect((await sender.send(request("http://no-such-host.invalid/"))).error?.class).toBe("dns");
    } finally {
      await sender.close();
    }
  });
});
