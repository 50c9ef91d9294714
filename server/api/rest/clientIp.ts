/**
 * The client's IP address, for technical users' IP allowlists.
 *
 * Route handlers only see a `Request`, not the socket, and Next fills
 * `X-Forwarded-For` from the socket only when the client did not send one —
 * so that header proves nothing. `installPeerAddressHeader()` (called once at
 * start-up) stamps every incoming request with the TCP peer address under a
 * header of our own, overwriting anything a client sent under that name.
 * Behind reverse proxies (`API_TRUSTED_PROXIES=n`) the client is the n-th
 * address from the right of `X-Forwarded-For`, the one our nearest trusted proxy saw.
 */
import http from "node:http";
import net from "node:net";
import { restSettings } from "./settings";

export const PEER_ADDRESS_HEADER = "x-switchboard-peer-address";

const installed = Symbol.for("switchboard.peerAddressHeader");

export function installPeerAddressHeader(): void {
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean };
  if (proto[installed]) return;
  proto[installed] = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "";
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof proto.emit;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an IP address → null. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let address = value.trim();
  if (address.startsWith("[") && address.endsWith("]")) address = address.slice(1, -1);
  if (address.toLowerCase().startsWith("::ffff:") && net.isIPv4(address.slice(7))) address = address.slice(7);
  return net.isIP(address) ? address : null;
}

export function clientIp(request: { headers: { get(name: string): string | null } }, trustedProxies = restSettings().API_TRUSTED_PROXIES): string | null {
  if (trustedProxies > 0) {
    const chain = (request.headers.get("x-forwarded-for") ?? "").split(",").map((part) => part.trim()).filter(Boolean);
    return normalizeIp(chain[chain.length - trustedProxies]);
  }
  return normalizeIp(request.headers.get(PEER_ADDRESS_HEADER));
}

/** Whether an allowlist entry (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`) is well-formed. */
export function isValidAllowlistEntry(entry: string): boolean {
  return parseEntry(entry) !== null;
}

function parseEntry(entry: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [rawAddress, rawPrefix, extra] = entry.trim().split("/");
  if (extra !== undefined) return null;
  const address = normalizeIp(rawAddress);
  if (!address) return null;
  const family = net.isIPv4(address) ? "ipv4" : "ipv6";
  const max = family === "ipv4" ? 32 : 128;
  const prefix = rawPrefix === undefined ? max : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) : NaN;
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= max ? { address, prefix, family } : null;
}

/** An empty allowlist allows every address; otherwise the address must match an entry (an unknown address matches none). */
export function ipAllowed(allowlist: readonly string[], ip: string | null): boolean {
  if (allowlist.length === 0) return true;
  if (!ip) return false;
  const blocks = new net.BlockList();
  for (const entry of allowlist) {
    const parsed = parseEntry(entry);
    if (parsed) blocks.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return blocks.check(ip, net.isIPv4(ip) ? "ipv4" : "ipv6");
}
