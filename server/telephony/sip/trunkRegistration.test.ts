/**
 * The edge registering with a trunk's provider: a TypeScript registrar on
 * loopback UDP plays the provider (digest challenge → 200 with a granted
 * expiry), time runs on a manual clock, so the refresh before expiry, the
 * failure reason for wrong credentials and the retry are all observable.
 */
import { afterEach, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { DigestAuthenticator, parseDigestAuthorization } from "./digest";
import { headerValue, responseTo, serializeMessage, type SipRequest } from "./message";
import { SipEngine } from "./sipEngine";
import { SipTestPeer } from "./testing/sipTestPeer";
import type { RegistrationAccount, RegistrationStatus } from "./trunkRegistration";

const PROVIDER_PASSWORD = "provider-pass-1";

/** The provider: challenges every REGISTER without a valid Authorization, grants `grantS` seconds to a valid one. */
class ProviderRegistrar {
  readonly authenticator = new DigestAuthenticator(Buffer.from("provider-secret"), "provider.example");
  accepted = 0;
  challenged = 0;
  private handled = 0;

  constructor(
    readonly peer: SipTestPeer,
    private readonly clock: ManualClock,
    private readonly grantS: number,
  ) {}

  /** Answers every REGISTER received so far that it has not answered yet. */
  answer(): void {
    const registers = this.peer.requests("REGISTER");
    for (const request of registers.slice(this.handled)) this.reply(request);
    this.handled = registers.length;
  }

  private reply(request: SipRequest): void {
    const credentials = parseDigestAuthorization(headerValue(request, "authorization"));
    const verdict = credentials && credentials.username === "acct-7" ? this.authenticator.verify(credentials, "REGISTER", PROVIDER_PASSWORD, this.clock.now()) : null;
    const response =
      verdict === "ok"
        ? responseTo(request, 200, "OK", { toTag: "prov", headers: [{ name: "contact", value: `${headerValue(request, "contact")};expires=${this.grantS}` }] })
        : responseTo(request, 401, "Unauthorized", { toTag: "prov", headers: [{ name: "www-authenticate", value: this.authenticator.challenge(this.clock.now()) }] });
    if (verdict === "ok") this.accepted++;
    else this.challenged++;
    this.peer.udp.socket.send(serializeMessage(response), portOfVia(request), "127.0.0.1");
  }
}

function portOfVia(request: SipRequest): number {
  return Number(/:(\d+)/.exec(headerValue(request, "via")!)![1]);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp(password: string, grantS = 120) {
  const clock = new ManualClock();
  const peer = await SipTestPeer.open();
  const provider = new ProviderRegistrar(peer, clock, grantS);
  const statuses: RegistrationStatus[] = [];
  const warnings: string[] = [];
  const account: RegistrationAccount = { key: "trk_1", registrar: { host: "127.0.0.1", port: peer.local.port }, domain: "provider.example", username: "acct-7", password };
  const engine = await SipEngine.start({
    clock,
    logger: { debug: () => undefined, info: () => undefined, warn: (fields: unknown, message: string) => warnings.push(`${message} ${JSON.stringify(fields)}`), error: () => undefined },
    listen: { address: "127.0.0.1", port: 0 },
    prompts: { pcm: async () => new Int16Array(0) },
    trunkRegistrations: { accounts: () => [account], report: (_key, status) => statuses.push(status), timing: { retryMs: 10_000 } },
  });
  cleanups.push(async () => {
    await engine.close();
    await peer.close();
  });
  return { clock, peer, provider, statuses, warnings, engine };
}

it("registers with the provider's digest challenge, and refreshes before the granted expiry", async () => {
  const { clock, peer, provider, statuses } = await setUp(PROVIDER_PASSWORD, 120);
  await peer.until((p) => p.requests("REGISTER").length === 1);
  const first = peer.requests("REGISTER")[0];
  expect(first.uri).toBe("sip:provider.example");
  expect(headerValue(first, "to")).toBe("<sip:acct-7@provider.example>");
  expect(headerValue(first, "authorization")).toBeUndefined();
  provider.answer(); // 401 with a challenge
  await peer.until((p) => p.requests("REGISTER").length === 2);
  const answered = peer.requests("REGISTER")[1];
  expect(parseDigestAuthorization(headerValue(answered, "authorization"))).toMatchObject({ username: "acct-7", realm: "provider.example", uri: "sip:provider.example", qop: "auth" });
  expect(headerValue(answered, "call-id")).toBe(headerValue(first, "call-id"));
  provider.answer(); // 200, 120 s
  await until(() => statuses.at(-1)?.state === "registered");
  expect(statuses.at(-1)).toEqual({ state: "registered", reason: null, expiresAt: clock.now() + 120_000 });
  expect(provider.accepted).toBe(1);

  // Nothing before the refresh point (half of a short grant: 60 s), a new REGISTER at it.
  clock.advance(59_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(peer.requests("REGISTER")).toHaveLength(2);
  clock.advance(1_000);
  await peer.until((p) => p.requests("REGISTER").length === 3);
  provider.answer();
  await peer.until((p) => p.requests("REGISTER").length === 4);
  provider.answer();
  await until(() => provider.accepted === 2 && statuses.at(-1)?.state === "registered");
  expect(headerValue(peer.requests("REGISTER")[3], "call-id")).toBe(headerValue(first, "call-id"));
});

it("reports a wrong password as failing with the provider's reason, never logs the password, and retries", async () => {
  const { clock, peer, provider, statuses, warnings } = await setUp("wrong-password");
  await peer.until((p) => p.requests("REGISTER").length === 1);
  provider.answer();
  await peer.until((p) => p.requests("REGISTER").length === 2);
  provider.answer(); // a second challenge for the answered REGISTER: wrong credentials
  await until(() => statuses.at(-1)?.state === "failing");
  expect(statuses.at(-1)).toEqual({ state: "failing", reason: "401 Unauthorized", expiresAt: null });
  expect(peer.requests("REGISTER")).toHaveLength(2);
  expect(warnings.join("\n")).toContain("401 Unauthorized");
  expect(warnings.join("\n")).not.toContain("wrong-password");

  clock.advance(10_000);
  await peer.until((p) => p.requests("REGISTER").length === 3);
  expect(statuses.at(-1)?.state).toBe("registering");
});

it("reports a provider that never answers as failing with 'no response'", async () => {
  const { clock, peer, statuses } = await setUp(PROVIDER_PASSWORD);
  await peer.until((p) => p.requests("REGISTER").length === 1);
  await clock.advanceAsync(40_000); // timer E gives up at its first firing after 32 s
  expect(statuses.at(-1)).toEqual({ state: "failing", reason: "no response", expiresAt: null });
  // Retransmitted meanwhile (timer E), as UDP needs.
  expect(peer.requests("REGISTER").length).toBeGreaterThan(3);
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
