/**
 * The one error type services throw for expected failures. `code` maps to an
 * HTTP status (REST) or a tRPC code (portal); `messageKey` is an i18n key the
 * portal translates; `field` names the offending input field.
 */
export type ServiceErrorCode = "not_found" | "conflict" | "invalid" | "forbidden" | "precondition_failed";

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly options: { field?: string; messageKey?: string } = {},
  ) {
    super(message);
    this.name = "ServiceError";
  }

  /** By name, not by prototype: services also run inside the runtime's bundle (see PbxError). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === "ServiceError" && "code" in value && "options" in value;
  }
}

export function notFound(what: string, id: string): ServiceError {
  return new ServiceError("not_found", `${what} ${id} does not exist`, { messageKey: "errors.notFound" });
}

/**
 * A unique-constraint failure, turned into a conflict on the named field: SQLite's code on better-sqlite3's error, or
 * PostgreSQL's SQLSTATE 23505 on node-postgres' error, which Drizzle wraps as the `cause` of its query error.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505") return true;
  return error.cause !== undefined && error.cause !== error && isUniqueViolation(error.cause);
}
