/**
 * The address parts of SIP headers: name-addr / addr-spec with header
 * parameters (From, To, Contact, Record-Route) and SIP URIs.
 * Returns null for anything it cannot read instead of throwing.
 */

export interface NameAddress {
  displayName: string | null;
  uri: string;
  /** Header parameters after the address, lower-case names (`tag`, `expires`…); a flag parameter has value "". */
  params: Record<string, string>;
}

export interface SipUri {
  scheme: "sip" | "sips";
  user: string | null;
  host: string;
  port: number | null;
}

function parseParams(text: string): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const part of text.split(";")) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    if (!/^[a-z0-9\-.!%*_+`'~]+$/.test(name)) return null;
    params[name] = eq < 0 ? "" : trimmed.slice(eq + 1).trim();
  }
  return params;
}

export function parseNameAddress(value: string): NameAddress | null {
  const text = value.trim();
  const open = text.indexOf("<");
  if (open >= 0) {
    const close = text.indexOf(">", open);
    if (close < 0) return null;
    let displayName: string | null = text.slice(0, open).trim();
    if (displayName.startsWith('"') && displayName.endsWith('"') && displayName.length >= 2) {
      displayName = displayName.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    const params = parseParams(text.slice(close + 1));
    const uri = text.slice(open + 1, close).trim();
    if (!params || !uri) return null;
    return { displayName: displayName || null, uri, params };
  }
  // addr-spec without angle brackets: parameters after the first ';' belong to the header (RFC 3261 §20.10).
  const semi = text.indexOf(";");
  const uri = (semi < 0 ? text : text.slice(0, semi)).trim();
  const params = parseParams(semi < 0 ? "" : text.slice(semi + 1));
  if (!params || !uri || /\s/.test(uri)) return null;
  return { displayName: null, uri, params };
}

export function parseSipUri(value: string): SipUri | null {
  const match = /^(sips?):(?:([^@;?]+)@)?([^;?:]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?(?:[;?].*)?$/i.exec(value.trim());
  if (!match) return null;
  const port = match[4] === undefined ? null : Number(match[4]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  const user = match[2] === undefined ? null : safeDecode(match[2].split(":")[0]);
  return { scheme: match[1].toLowerCase() as "sip" | "sips", user, host: match[3], port };
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The user part of a From/To header's URI: the caller's or called number. */
export function userOf(headerValue: string | undefined): string | null {
  if (headerValue === undefined) return null;
  const address = parseNameAddress(headerValue);
  return address ? (parseSipUri(address.uri)?.user ?? null) : null;
}

export function tagOf(headerValue: string | undefined): string | null {
  if (headerValue === undefined) return null;
  return parseNameAddress(headerValue)?.params.tag || null;
}
