/**
 * The edge registering with a trunk's provider (RFC 3261 §10.2, as the UAC):
 * REGISTER, the digest challenge answered once per attempt (401 or 407; a
 * second challenge for the same attempt means wrong credentials, unless it is
 * `stale`), refreshed before the provider's expiry, retried after a failure.
 * Every change of state is reported (the portal shows it); the password is
 * never logged.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import { digestAuthorization, parseDigestChallenge } from "./digest";
import { newBranch, newTag } from "./inboundDialog";
import { headerValue, headerValues, parseCSeq, type SipHeader, type SipRequest, type SipResponse } from "./message";
import { Retransmission } from "./retransmit";
import type { Peer } from "./transport";

export interface RegistrationAccount {
  /** Who this registration is for (the trunk's id); status reports carry it. */
  key: string;
  /** Where REGISTERs go (host name or IPv4; 5060 without a port). */
  registrar: { host: string; port: number };
  /** The provider's domain: the Request-URI, From and To. */
  domain: string;
  username: string;
  password: string;
}

export type RegistrationState = "registering" | "registered" | "failing";

export interface RegistrationStatus {
  state: RegistrationState;
  /** Why it fails: the provider's status line, "no response", "cannot resolve …"; null otherwise. */
  reason: string | null;
  /** Until when the provider holds the binding (epoch ms), while registered. */
  expiresAt: number | null;
}

export interface RegistrationContext {
  clock: Clock;
  logger: Logger;
  /** Our Via sent-by and Contact host:port. */
  sentBy: string;
  send(message: SipRequest, to: Peer): void;
  /** A host name to the IPv4 address REGISTERs go to. */
  resolve(host: string): Promise<string>;
  report(key: string, status: RegistrationStatus): void;
}

export interface RegistrationTiming {
  /** The expiry we ask for (the provider may grant less). Default 3600 s. */
  expiresS?: number;
  /** After a failure, the next attempt. Default 60 s. */
  retryMs?: number;
}

const DEFAULT_EXPIRES_S = 3600;
const DEFAULT_RETRY_MS = 60_000;

/** Refresh at half the granted time for short grants, 60 s before expiry for long ones (phones do the same). */
export function refreshDelayMs(grantedS: number): number {
  return Math.max((grantedS * 1000) / 2, (grantedS - 60) * 1000);
}

export class TrunkRegistration {
  /** One Call-ID for all REGISTERs of this registration (RFC 3261 §10.2.4: refreshes reuse it). */
  readonly callId = `${randomBytes(12).toString("hex")}@switchboard`;
  private readonly fromTag = newTag();
  private seq = randomInt(1, 2 ** 16);
  private peer: Peer | null = null;
  private transaction: { seq: number; retransmission: Retransmission; answeredChallenge: boolean } | null = null;
  private timer: TimerHandle | null = null;
  private state: RegistrationState | null = null;
  private stopped = false;
  private readonly expiresS: number;
  private readonly retryMs: number;

  constructor(
    private readonly context: RegistrationContext,
    readonly account: RegistrationAccount,
    timing: RegistrationTiming = {},
  ) {
    this.expiresS = timing.expiresS ?? DEFAULT_EXPIRES_S;
    this.retryMs = timing.retryMs ?? DEFAULT_RETRY_MS;
  }

  start(): void {
    this.attempt();
  }

  /** Stops refreshing and asks the provider to drop the binding (best effort, not retried). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimer();
    this.transaction?.retransmission.stop();
    this.transaction = null;
    if (this.peer && this.state === "registered") this.context.send(this.request(++this.seq, 0, []), this.peer);
  }

  /** A response whose Call-ID is ours; anything not from the registrar or not for the current REGISTER is ignored. */
  onResponse(response: SipResponse, source: Peer): void {
    const current = this.transaction;
    if (this.stopped || !current || !this.peer || source.address !== this.peer.address) return;
    if (parseCSeq(headerValue(response, "cseq") ?? "")?.seq !== current.seq || response.status < 200) return;
    current.retransmission.stop();
    this.transaction = null;
    if (response.status === 401 || response.status === 407) return this.onChallenge(response, current.answeredChallenge);
    if (response.status >= 200 && response.status < 300) return this.onRegistered(response);
    if (response.status === 423) {
      const minimum = Number(headerValue(response, "min-expires"));
      if (Number.isInteger(minimum) && minimum > 0 && minimum <= 86_400) return this.send([], minimum, false);
    }
    this.fail(`${response.status} ${response.reason}`);
  }

  private attempt(): void {
    this.clearTimer();
    this.report({ state: "registering", reason: null, expiresAt: null });
    const { host, port } = this.account.registrar;
    this.context.resolve(host).then(
      (address) => {
        if (this.stopped) return;
        this.peer = { address, port };
        this.send([], this.expiresS, false);
      },
      () => {
        if (!this.stopped) this.fail(`cannot resolve ${host}`);
      },
    );
  }

  private send(extraHeaders: SipHeader[], expiresS: number, answeredChallenge: boolean): void {
    const peer = this.peer!;
    const seq = ++this.seq;
    const request = this.request(seq, expiresS, extraHeaders);
    const retransmission = new Retransmission(
      this.context.clock,
      () => this.context.send(request, peer),
      () => {
        if (this.transaction?.seq !== seq) return;
        this.transaction = null;
        this.fail("no response");
      },
    );
    this.transaction = { seq, retransmission, answeredChallenge };
  }

  private onChallenge(response: SipResponse, alreadyAnswered: boolean): void {
    const proxy = response.status === 407;
    const challenge = parseDigestChallenge(headerValue(response, proxy ? "proxy-authenticate" : "www-authenticate"));
    if (!challenge) return this.fail(`${response.status} ${response.reason} (a challenge we cannot answer)`);
    // A fresh challenge right after our answer means the credentials are wrong, unless only the nonce went stale.
    if (alreadyAnswered && !challenge.stale) return this.fail(`${response.status} ${response.reason}`);
    const authorization = digestAuthorization(
      challenge,
      { username: this.account.username, password: this.account.password, method: "REGISTER", uri: this.requestUri },
      randomBytes(8).toString("hex"),
    );
    this.send([{ name: proxy ? "proxy-authorization" : "authorization", value: authorization }], this.expiresS, true);
  }

  private onRegistered(response: SipResponse): void {
    const granted = this.grantedExpiry(response);
    const now = this.context.clock.now();
    this.report({ state: "registered", reason: null, expiresAt: now + granted * 1000 });
    this.timer = this.context.clock.setTimeout(() => this.attempt(), refreshDelayMs(granted));
  }

  /** Our Contact's `expires` in the 200 (the provider's word), else its Expires header, else what we asked for. */
  private grantedExpiry(response: SipResponse): number {
    const ours = `@${this.context.sentBy}`;
    for (const contact of headerValues(response, "contact").flatMap((value) => value.split(","))) {
      const expires = /;\s*expires\s*=\s*(\d+)/i.exec(contact)?.[1];
      if (contact.includes(ours) && expires !== undefined) return clampExpiry(Number(expires), this.expiresS);
    }
    const header = Number(headerValue(response, "expires"));
    return Number.isInteger(header) && header > 0 ? clampExpiry(header, this.expiresS) : this.expiresS;
  }

  private fail(reason: string): void {
    this.context.logger.warn({ trunk: this.account.key, registrar: this.account.registrar.host, reason }, "SIP edge: registration with the trunk's provider failed");
    this.report({ state: "failing", reason, expiresAt: null });
    this.clearTimer();
    this.timer = this.context.clock.setTimeout(() => this.attempt(), this.retryMs);
  }

  private report(status: RegistrationStatus): void {
    this.state = status.state;
    this.context.report(this.account.key, status);
  }

  private clearTimer(): void {
    if (this.timer) this.context.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private get requestUri(): string {
    return `sip:${this.account.domain}`;
  }

  private request(seq: number, expiresS: number, extraHeaders: SipHeader[]): SipRequest {
    const aor = `<sip:${this.account.username}@${this.account.domain}>`;
    return {
      kind: "request",
      method: "REGISTER",
      uri: this.requestUri,
      headers: [
        { name: "via", value: `SIP/2.0/UDP ${this.context.sentBy};branch=${newBranch()};rport` },
        { name: "max-forwards", value: "70" },
        { name: "from", value: `${aor};tag=${this.fromTag}` },
        { name: "to", value: aor },
        { name: "call-id", value: this.callId },
        { name: "cseq", value: `${seq} REGISTER` },
        // The provider sends this trunk's calls here; the user part names the account.
        { name: "contact", value: `<sip:${this.account.username}@${this.context.sentBy}>` },
        { name: "expires", value: String(expiresS) },
        ...extraHeaders,
      ],
      body: Buffer.alloc(0),
    };
  }
}

/** A granted expiry of 0 or absurdly long is read as a sane one: at least 30 s (so refreshes cannot spin), at most what we asked. */
function clampExpiry(granted: number, asked: number): number {
  return Math.min(Math.max(granted, 30), Math.max(asked, 30));
}
