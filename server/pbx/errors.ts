/** A request call control cannot honour; `code` maps onto an HTTP status (404, 409, 400, 503). */
export class PbxError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "invalid" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "PbxError";
  }

  /**
   * By name, not by prototype: the runtime is built in Next's instrumentation bundle and route handlers in theirs,
   * each with its own copy of this class, so a prototype check turned every call-control refusal into a 500.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof Error && value.name === "PbxError" && "code" in value;
  }
}
