import { z } from "zod";

/**
 * Tuning of the public API from the environment (documented in README.md
 * next to this file). Read once; tests override through `setRestSettingsForTests`.
 */
const envSchema = z.object({
  /** Sustained requests per second per technical user. */
  API_RATE_LIMIT_PER_S: z.coerce.number().positive().default(20),
  /** Requests a technical user may burst above the sustained rate. */
  API_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(100),
  /**
   * How many reverse proxies in front of Switchboard append to `X-Forwarded-For`.
   * 0 (default): the client address is the TCP peer; `X-Forwarded-For` is ignored
   * because any client can send it.
   */
  API_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** Largest request body accepted, in bytes. */
  API_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
});

export type RestSettings = z.infer<typeof envSchema>;

let cached: RestSettings | undefined;

export function restSettings(): RestSettings {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) throw new Error(`Invalid API settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    cached = parsed.data;
  }
  return cached;
}

export function setRestSettingsForTests(overrides: Partial<RestSettings> | undefined): void {
  cached = overrides ? { ...envSchema.parse({}), ...overrides } : undefined;
}
