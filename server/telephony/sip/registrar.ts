/**
 * The registrar (RFC 3261 §10): extensions' phones REGISTER with their
 * extension number as SIP user name and their SIP password (digest, see
 * digest.ts); the edge keeps one binding per extension (the latest phone
 * wins: phones are single-line) until it expires. `Expires: 0` removes it.
 *
 * INVITEs from phones (calls they place) are authenticated the same way
 * (`authenticateCall`: the From user is the extension), with the same throttle.
 *
 * Brute force is throttled: a source address or a user name with
 * `MAX_FAILURES` wrong answers within `FAILURE_WINDOW_MS` is refused 403
 * (no new challenge) until the oldest failure ages out. Logs name the user
 * and the address, never a password or a digest.
 *
 * Bindings live on this object (one process); a restart forgets them and the
 * phones re-register within their expiry.
 */
import type { Clock, Logger } from "@/flows/runtime/ports";
import { parseNameAddress, parseSipUri } from "./address";
import { DigestAuthenticator, parseDigestAuthorization } from "./digest";
import { headerValue, headerValues, responseTo as untaggedResponse, type SipHeader, type SipRequest, type SipResponse } from "./message";
import { newTag } from "./inboundDialog";
import type { Peer } from "./transport";

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;
const DEFAULT_EXPIRES_S = 3600;
const MIN_EXPIRES_S = 60;
const MAX_EXPIRES_S = 3600;
/** Throttle keys remembered at once; beyond it the oldest are dropped (a spoofed-address flood cannot grow memory). */
const MAX_THROTTLE_KEYS = 10_000;

export interface Binding {
  extension: string;
  /** The Contact URI the phone registered: the Request-URI of INVITEs to it. */
  contact: string;
  /** Where its REGISTER came from: INVITEs go there (as rport would, so phones behind NAT are reached). */
  peer: Peer;
  expiresAt: number;
}

export interface RegistrarOptions {
  clock: Clock;
  logger: Logger;
  authenticator: DigestAuthenticator;
  /** The SIP password of an extension, or null when it has none (or does not exist). */
  password(extension: string): string | null;
}

export class Registrar {
  private readonly bindings = new Map<string, Binding>();
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: RegistrarOptions) {}

  /** The phone registered for an extension, or null (never registered, expired, unregistered). */
  binding(extension: string): Binding | null {
    const binding = this.bindings.get(extension);
    if (!binding) return null;
    if (binding.expiresAt <= this.options.clock.now()) {
      this.bindings.delete(extension);
      return null;
    }
    return binding;
  }

  register(request: SipRequest, source: Peer): SipResponse {
    const verdict = this.authenticate(request, "to", source);
    return "refusal" in verdict ? verdict.refusal : this.updateBinding(request, verdict.extension, source, this.options.clock.now());
  }

  /**
   * An INVITE from a phone (not a trunk): the From user is the extension, proven by its SIP
   * password exactly as for REGISTER (same challenge, same throttle); or the response refusing it.
   */
  authenticateCall(invite: SipRequest, source: Peer): { extension: string } | { refusal: SipResponse } {
    return this.authenticate(invite, "from", source);
  }

  /** Digest authentication of a request as the extension its `userHeader` names. */
  private authenticate(request: SipRequest, userHeader: "to" | "from", source: Peer): { extension: string } | { refusal: SipResponse } {
    const now = this.options.clock.now();
    const from = `${source.address}:${source.port}`;
    const method = request.method;
    const aor = parseSipUri(parseNameAddress(headerValue(request, userHeader) ?? "")?.uri ?? "");
    const extension = aor?.user ?? null;
    if (!extension) return { refusal: responseTo(request, 404, "Not Found") };
    if (this.throttled(`ip:${source.address}`, now) || this.throttled(`user:${extension}`, now)) {
      this.options.logger.warn({ from, user: extension, method }, "SIP edge: request refused, too many failed attempts");
      return { refusal: responseTo(request, 403, "Forbidden") };
    }
    const credentials = parseDigestAuthorization(headerValue(request, "authorization"));
    if (!credentials) return { refusal: this.challenge(request, now, false) };
    const password = credentials.username === extension ? this.options.password(extension) : null;
    const verdict = password === null ? "wrong" : this.options.authenticator.verify(credentials, method, password, now);
    if (verdict === "stale" || verdict === "invalid_nonce") return { refusal: this.challenge(request, now, verdict === "stale") };
    if (verdict === "wrong") {
      this.fail(`ip:${source.address}`, now);
      this.fail(`user:${extension}`, now);
      this.options.logger.warn({ from, user: extension, method }, "SIP edge: wrong credentials");
      return { refusal: this.challenge(request, now, false) };
    }
    return { extension };
  }

  private updateBinding(request: SipRequest, extension: string, source: Peer, now: number): SipResponse {
    const contacts = headerValues(request, "contact");
    const expiresHeader = headerValue(request, "expires");
    if (contacts.length === 0) return this.ok(request, extension, now);
    if (contacts.some((contact) => contact.trim() === "*")) {
      if (expiresHeader?.trim() !== "0") return responseTo(request, 400, "Bad Request (wildcard Contact needs Expires: 0)");
      this.bindings.delete(extension);
      this.options.logger.info({ user: extension }, "SIP edge: phone unregistered");
      return this.ok(request, extension, now);
    }
    const contact = parseNameAddress(contacts[0]);
    if (!contact || !parseSipUri(contact.uri)) return responseTo(request, 400, "Bad Request (unreadable Contact)");
    const requested = Number(contact.params.expires ?? expiresHeader ?? DEFAULT_EXPIRES_S);
    const expires = Number.isFinite(requested) ? Math.min(Math.max(Math.trunc(requested), 0), MAX_EXPIRES_S) : DEFAULT_EXPIRES_S;
    if (expires === 0) {
      this.bindings.delete(extension);
      this.options.logger.info({ user: extension }, "SIP edge: phone unregistered");
      return this.ok(request, extension, now);
    }
    if (expires < MIN_EXPIRES_S) {
      return responseTo(request, 423, "Interval Too Brief", { headers: [{ name: "min-expires", value: String(MIN_EXPIRES_S) }] });
    }
    const isNew = this.binding(extension)?.contact !== contact.uri;
    this.bindings.set(extension, { extension, contact: contact.uri, peer: source, expiresAt: now + expires * 1000 });
    if (isNew) this.options.logger.info({ user: extension, from: `${source.address}:${source.port}` }, "SIP edge: phone registered");
    return this.ok(request, extension, now);
  }

  private ok(request: SipRequest, extension: string, now: number): SipResponse {
    const binding = this.binding(extension);
    const headers = binding ? [{ name: "contact", value: `<${binding.contact}>;expires=${Math.round((binding.expiresAt - now) / 1000)}` }] : [];
    return responseTo(request, 200, "OK", { headers: [...headers, { name: "date", value: new Date(now).toUTCString() }] });
  }

  private challenge(request: SipRequest, now: number, stale: boolean): SipResponse {
    return responseTo(request, 401, "Unauthorized", {
      headers: [{ name: "www-authenticate", value: this.options.authenticator.challenge(now, stale) }],
    });
  }

  private recentFailures(key: string, now: number): number[] {
    const recent = (this.failures.get(key) ?? []).filter((at) => now - at < FAILURE_WINDOW_MS);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    return recent;
  }

  private throttled(key: string, now: number): boolean {
    return this.recentFailures(key, now).length >= MAX_FAILURES;
  }

  private fail(key: string, now: number): void {
    const recent = this.recentFailures(key, now);
    this.failures.delete(key);
    this.failures.set(key, [...recent, now].slice(-MAX_FAILURES));
    if (this.failures.size > MAX_THROTTLE_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }
}

/** Responses to a REGISTER carry a To tag like any response outside a dialog (RFC 3261 §8.2.6.2). */
function responseTo(request: SipRequest, status: number, reason: string, options: { headers?: SipHeader[] } = {}): SipResponse {
  return untaggedResponse(request, status, reason, { toTag: newTag(), headers: options.headers });
}
