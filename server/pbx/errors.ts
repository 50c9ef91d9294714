/** A request call control cannot honour; `code` maps onto an HTTP status (404, 409, 400, 503). */
export class PbxError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "invalid" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "PbxError";
  }
}
