import dns from "node:dns";
import net from "node:net";
import { buildConnector } from "undici";
import { getConfig, StartupError, type AppConfig } from "../config";

/**
 * Which addresses CRM requests may reach (`OUTBOUND_NETWORK`). Checked at
 * connect time on the address actually dialled — a custom DNS lookup for
 * names, a direct check for IP literals — so DNS rebinding and IPv4-mapped
 * IPv6 spellings do not slip past a check made at save time.
 *
 * - `allow-lan` (default): anything except link-local / cloud metadata
 * - `public-only`: also refuses loopback, private, CGNAT and reserved ranges
 * - `host1,10.0.0.0/8,*.example.com`: only these hosts / ranges
 *
 * Link-local and metadata addresses are refused in every mode.
 */
export type NetworkPolicy =
  | { mode: "allow-lan" }
  | { mode: "public-only" }
  | { mode: "allowlist"; hosts: string[]; ranges: net.BlockList; description: string };

export class NetworkPolicyError extends Error {
  readonly errorClass = "network_policy";
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: "metadata" | "not_public" | "not_allowed",
  ) {
    super(
      reason === "metadata"
        ? `refused to connect to ${address} (${host}): link-local and cloud-metadata addresses are never allowed`
        : reason === "not_public"
          ? `refused to connect to ${address} (${host}): OUTBOUND_NETWORK=public-only allows public internet addresses only`
          : `refused to connect to ${address} (${host}): not in the OUTBOUND_NETWORK allow-list`,
    );
    this.name = "NetworkPolicyError";
  }
}

function blockList(ipv4: string[], ipv6: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const range of ipv4) addRange(list, range, "ipv4");
  for (const range of ipv6) addRange(list, range, "ipv6");
  return list;
}

function addRange(list: net.BlockList, range: string, family: "ipv4" | "ipv6"): void {
  const [address, bits] = range.split("/");
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
}

const ALWAYS_REFUSED = blockList(
  ["0.0.0.0/8", "169.254.0.0/16", "100.100.100.200", "168.63.129.16", "224.0.0.0/4", "240.0.0.0/4"],
  ["::/128", "fe80::/10", "fd00:ec2::254", "ff00::/8"],
);

const NOT_PUBLIC = blockList(
  [
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
  ],
  ["::1/128", "fc00::/7", "2001:db8::/32", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2002::/16"],
);

export function parseNetworkPolicy(value: string | undefined): NetworkPolicy {
  const text = (value ?? "allow-lan").trim();
  if (text === "" || text === "allow-lan") return { mode: "allow-lan" };
  if (text === "public-only") return { mode: "public-only" };
  const hosts: string[] = [];
  const ranges = new net.BlockList();
  for (const entry of text.split(",").map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    const [address, bits] = entry.split("/");
    const family = net.isIP(address);
    if (family !== 0) {
      addRange(ranges, bits === undefined ? address : `${address}/${bits}`, family === 4 ? "ipv4" : "ipv6");
    } else if (/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`OUTBOUND_NETWORK: "${entry}" is neither a host name nor an IP address / CIDR range`);
    }
  }
  return { mode: "allowlist", hosts, ranges, description: text };
}

/** The policy of this process; a malformed OUTBOUND_NETWORK stops start-up with the reason. */
export function outboundNetworkPolicy(config: AppConfig = getConfig()): NetworkPolicy {
  try {
    return parseNetworkPolicy(config.OUTBOUND_NETWORK);
  } catch (error) {
    throw new StartupError((error as Error).message);
  }
}

/** The 8 hextets of an IPv6 address (with or without an embedded dotted quad), or null. */
function hextets(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const parts = dotted[1].split(".").map(Number);
    text = text.slice(0, -dotted[1].length) + `${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array(missing).fill("0"), ...tail].map((h) => parseInt(h, 16));
  return all.some((n) => Number.isNaN(n) || n > 0xffff) ? null : all;
}

/** `::ffff:127.0.0.1`, `::ffff:7f00:1` and the deprecated `::127.0.0.1` are IPv4 addresses in disguise. */
export function canonicalAddress(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (net.isIPv4(bare)) return { address: bare, family: "ipv4" };
  const h = hextets(bare);
  if (h && h.slice(0, 5).every((x) => x === 0) && (h[5] === 0xffff || (h[5] === 0 && (h[6] !== 0 || h[7] > 1)))) {
    return { address: `${h[6] >> 8}.${h[6] & 0xff}.${h[7] >> 8}.${h[7] & 0xff}`, family: "ipv4" };
  }
  return { address: bare, family: "ipv6" };
}

function hostAllowed(hosts: string[], host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return hosts.some((entry) => (entry.startsWith("*.") ? name.endsWith(entry.slice(1)) : name === entry));
}

/** Why connecting to `address` (resolved from `host`) is refused, or null when it is allowed. */
export function refusal(policy: NetworkPolicy, host: string, address: string): NetworkPolicyError | null {
  const canonical = canonicalAddress(address);
  if (ALWAYS_REFUSED.check(canonical.address, canonical.family)) return new NetworkPolicyError(host, address, "metadata");
  if (policy.mode === "public-only" && NOT_PUBLIC.check(canonical.address, canonical.family)) {
    return new NetworkPolicyError(host, address, "not_public");
  }
  if (policy.mode === "allowlist" && !hostAllowed(policy.hosts, host) && !policy.ranges.check(canonical.address, canonical.family)) {
    return new NetworkPolicyError(host, address, "not_allowed");
  }
  return null;
}

/** For forms: a URL whose host is an IP literal the policy refuses (names are checked when connecting). */
export function literalRefusal(policy: NetworkPolicy, url: string): NetworkPolicyError | null {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return net.isIP(host) ? refusal(policy, host, host) : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `dns.lookup` that drops refused addresses and fails when none is left. */
export function guardedLookup(policy: NetworkPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => refusal(policy, hostname, entry.address) === null);
      if (allowed.length === 0) {
        const first = addresses[0];
        return callback(refusal(policy, hostname, first?.address ?? hostname) as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

/** An undici connector that enforces the policy on every new connection. */
export function guardedConnector(policy: NetworkPolicy, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const base = buildConnector({ ...options, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(host)) {
      const refused = refusal(policy, host, host);
      if (refused) return callback(refused, null);
    }
    return base(connectOptions, callback);
  };
}
