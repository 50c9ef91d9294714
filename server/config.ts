import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "" && url.pathname.length > 1;
  } catch {
    return false;
  }
}

/** What one process runs (the roles contract, server/runtime/README.md "Several processes"). */
export const ROLES = ["web", "api", "runtime", "worker"] as const;
export type Role = (typeof ROLES)[number];

/** `web,api,runtime,worker` → a set; unknown or repeated names are refused so a typo cannot silently drop a role. */
const rolesSchema = z
  .string()
  .default(ROLES.join(","))
  .transform((value, context) => {
    const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
    const unknown = names.filter((name) => !(ROLES as readonly string[]).includes(name));
    if (names.length === 0 || unknown.length > 0 || new Set(names).size !== names.length) {
      context.addIssue({
        code: "custom",
        message: `must be a comma-separated list of ${ROLES.join(", ")}, each at most once${unknown.length > 0 ? ` (unknown: ${unknown.join(", ")})` : ""}`,
      });
      return z.NEVER;
    }
    return new Set(names as Role[]);
  });

/**
 * Process configuration from the environment (API.md §Running), read once.
 * A bad value stops start-up with a message naming the variable.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default("./data"),
  /** Unset: SQLite in DATA_DIR. `postgres://user:password@host:port/database`: PostgreSQL 15+ (server/db/README.md). */
  DATABASE_URL: z
    .string()
    .refine(isPostgresUrl, "must be a postgres:// (or postgresql://) URL such as postgres://switchboard:secret@localhost:5432/switchboard")
    .optional(),
  DEFAULT_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be a two-letter country code such as HU")
    .default("HU"),
  OUTBOUND_NETWORK: z.string().min(1).default("allow-lan"),
  DEMO: z.enum(["0", "1"]).default("1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How long the signed recording links in end-of-call data work (default 30 days; keep it above the longest retry window). */
  RECORDING_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 366).default(24 * 30),
  /**
   * How long a delivery worker's claim or renewal holds a delivery (server/integration/README.md, "On PostgreSQL"):
   * a killed worker's deliveries are retried after this. Renewed four times per lease, so a short one costs a few
   * statements a minute; below 5 s a slow database round trip could cost a lease.
   */
  DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(5).max(600).default(20),
  /** `simulated` (default): calls are simulated; `sip`: real calls through the SIP edge (server/telephony/README.md, SIP edge). */
  TELEPHONY: z.enum(["simulated", "sip"]).default("simulated"),
  /** Where the SIP edge listens (UDP), `address:port`. */
  SIP_LISTEN: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, "must be an IPv4 address and port such as 0.0.0.0:5060")
    .default("0.0.0.0:5060"),
  /** The address phones and trunks reach the edge at (Via, Contact, SDP); required when SIP_LISTEN is 0.0.0.0. */
  SIP_ADVERTISED_ADDRESS: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}$/, "must be an IPv4 address")
    .optional(),
  /** The RTP port range, `min-max` (even ports are used, one per call leg). */
  RTP_PORTS: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, "must be a port range such as 30000-30999")
    .refine((range) => {
      const [min, max] = range.split("-").map(Number);
      return min >= 1024 && min < max && max <= 65535;
    }, "must be a range of unprivileged ports, lower bound first, such as 30000-30999")
    .default("30000-30999"),
  /** The SIP trunks' signalling addresses, comma-separated: INVITEs from anyone else are refused 403. */
  SIP_TRUNKS: z
    .string()
    .regex(/^(\d{1,3}(\.\d{1,3}){3})?(,\s*\d{1,3}(\.\d{1,3}){3})*$/, "must be comma-separated IPv4 addresses")
    .default(""),
  // Calls out through the trunk (external numbers) go to the first SIP_TRUNKS address on this port, answering the
  // provider's digest challenge with this account when one is set (server/runtime/sipTelephony.ts, outboundTrunkFromEnv).
  SIP_TRUNK_PORT: z.coerce.number().int().min(1).max(65535).default(5060),
  SIP_TRUNK_USERNAME: z.string().trim().min(1).max(200).regex(/^[^\s"\\]+$/, "must not contain spaces, quotes or backslashes").optional(),
  SIP_TRUNK_PASSWORD: z.string().min(1).max(200).optional(),
  /** Which parts this process runs (default: all four, one process). Anything less needs PostgreSQL. */
  SWITCHBOARD_ROLES: rolesSchema,
  /**
   * How the other processes reach this one's runtime (call-control requests forwarded to the call's owner);
   * default `http://127.0.0.1:PORT`. Only read with the `runtime` role.
   */
  SWITCHBOARD_INTERNAL_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL such as http://10.0.0.5:3000" }).optional(),
}).refine((env) => env.SIP_TRUNK_PASSWORD === undefined || env.SIP_TRUNK_USERNAME !== undefined, {
  path: ["SIP_TRUNK_USERNAME"],
  message: "is required when SIP_TRUNK_PASSWORD is set",
}).refine((env) => env.SWITCHBOARD_ROLES.size === ROLES.length || env.DATABASE_URL !== undefined, {
  path: ["SWITCHBOARD_ROLES"],
  message: "a part of the roles means several processes, which share one database: set DATABASE_URL=postgres://… (SQLite serves one process only)",
}).refine((env) => env.SWITCHBOARD_ROLES.size === ROLES.length || (process.env.SWITCHBOARD_SECRET ?? process.env.NEXTAUTH_SECRET) !== undefined, {
  path: ["SWITCHBOARD_SECRET"],
  message: "is required with a part of the roles: every process must sign sessions and internal requests with the same secret",
});

export type AppConfig = z.infer<typeof envSchema> & { dataDir: string; recordingsDir: string };

export class StartupError extends Error {}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new StartupError(`Invalid environment configuration — ${problems}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  cached = { ...parsed.data, dataDir, recordingsDir: path.join(dataDir, "recordings") };
  return cached;
}

/** Whether this process runs `role` (SWITCHBOARD_ROLES). */
export function hasRole(role: Role, config: AppConfig = getConfig()): boolean {
  return config.SWITCHBOARD_ROLES.has(role);
}

/** Creates the data folder if needed and proves it is writable, so a read-only mount fails at start with a clear message. */
export function ensureDataDir(config: AppConfig = getConfig()): void {
  try {
    fs.mkdirSync(config.recordingsDir, { recursive: true });
    const probe = path.join(config.dataDir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, "ok");
    fs.rmSync(probe);
  } catch (error) {
    throw new StartupError(
      `The data folder ${config.dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}). ` +
        "Set DATA_DIR to a folder this process can write, or fix its permissions.",
    );
  }
}

/**
 * The app-wide signing secret (sessions, recording links). Taken from
 * SWITCHBOARD_SECRET / NEXTAUTH_SECRET when given, otherwise generated once
 * into the data folder with owner-only permissions.
 */
export function getAppSecret(config: AppConfig = getConfig()): string {
  const fromEnv = process.env.SWITCHBOARD_SECRET ?? process.env.NEXTAUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(config.dataDir, "app-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  ensureDataDir(config);
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
  return secret;
}

/** For tests that point the process at a fresh data folder. */
export function resetConfigForTests(): void {
  cached = undefined;
}
