import pino from "pino";

/**
 * One root logger; components take a child (`logger.child({ component: "runtime" })`).
 * Secrets are redacted by path as a safety net — the rule remains: never log them.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  redact: {
    paths: ["password", "*.password", "secret", "*.secret", "client_secret", "*.client_secret", "authorization", "*.authorization", "headers.authorization", "signing_secret", "*.signing_secret"],
    censor: "[redacted]",
  },
  base: { app: "switchboard" },
  // Readable lines while developing; JSON lines (for log shippers) everywhere else.
  ...(process.env.NODE_ENV === "development" ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
});

export function componentLogger(component: string) {
  return logger.child({ component });
}
