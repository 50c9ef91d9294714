import { z } from "zod";

/**
 * SIP trunks (issue #13), shared by the portal form (instant field errors)
 * and the service (the rule). Every value comes from an admin's form and ends
 * up steering the SIP edge's network traffic, so each is checked strictly.
 * Messages are i18n keys the UI translates.
 */

const addressError = { error: "sipTrunks.errors.address" };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 1123 host names: letters, digits and inner hyphens per label, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

/**
 * `host` or `host:port` (IPv4 or a host name; the SIP edge speaks UDP over IPv4) → `{host, port}`, host lower-case.
 * An already parsed `{host, port}` is checked again the same way, so a parsed input parses again (tRPC, then the service).
 */
export const hostPortSchema = z.preprocess(
  (value) => (typeof value === "object" && value !== null && "host" in value ? formatHostPort(value as HostPort) : value),
  z
    .string()
    .trim()
    .max(260, addressError)
    .transform((value, ctx) => {
      const match = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(value.toLowerCase());
      const port = match?.[2] === undefined ? null : Number(match[2]);
      const host = match?.[1] ?? "";
      const hostOk = /^[\d.]+$/.test(host) ? isIpv4(host) : HOST_NAME.test(host);
      if (!match || !hostOk || (port !== null && (port < 1 || port > 65535))) {
        ctx.addIssue({ code: "custom", message: addressError.error });
        return z.NEVER;
      }
      return { host, port };
    }),
);

export interface HostPort {
  host: string;
  port: number | null;
}

export function formatHostPort(address: HostPort): string {
  return address.port === null ? address.host : `${address.host}:${address.port}`;
}

export const sipTrunkInputSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "errors.required" }).max(80, { error: "sipTrunks.errors.tooLong" }),
  enabled: z.boolean().default(true),
  /** The provider's signalling addresses: INVITEs are taken only from these. */
  addresses: z.array(hostPortSchema).min(1, { error: "sipTrunks.errors.addressRequired" }).max(10, { error: "sipTrunks.errors.tooMany" }),
  /** Outbound proxy / registrar ("" or absent: the first address). */
  proxy: z
    .union([z.literal("").transform(() => null), hostPortSchema])
    .nullable()
    .default(null),
  /** Registration user name; "" means the trunk does not register (and drops a stored password). */
  username: z
    .string()
    .trim()
    .max(100, { error: "sipTrunks.errors.tooLong" })
    // It goes into the From, To and Contact URIs of our REGISTERs: nothing that could end a URI or start a parameter.
    .regex(/^[A-Za-z0-9._~+-]*$/, { error: "sipTrunks.errors.username" })
    .default(""),
  /** Write-only: absent or "" keeps the stored password; required the first time a user name is set. */
  password: z.string().max(200, { error: "sipTrunks.errors.tooLong" }).optional(),
  /** The DIDs this trunk carries (national or E.164 form; stored E.164); empty: any DID with a published flow. */
  dids: z.array(z.string().trim().min(1).max(32, { error: "errors.phoneNumber" })).max(1000, { error: "sipTrunks.errors.tooMany" }).default([]),
  /** Calls out go through this trunk (the first enabled trunk when none is marked). */
  outbound: z.boolean().default(false),
  /** The number presented on calls out; "" keeps each call's own caller id. */
  callerIdNumber: z.string().trim().max(32).default(""),
});
export type SipTrunkInput = z.input<typeof sipTrunkInputSchema>;
export type SipTrunkData = z.output<typeof sipTrunkInputSchema>;

export const registrationStates = ["registering", "registered", "failing"] as const;
export type RegistrationState = (typeof registrationStates)[number];
