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

/** SQLite's unique-constraint failures, turned into a conflict on the named field. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && (error as { code: string }).code === "SQLITE_CONSTRAINT_UNIQUE";
}
