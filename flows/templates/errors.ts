import { LiquidError } from "liquidjs";

export type TemplateErrorKind = "syntax" | "undefined_variable" | "limit" | "render";

/** A template or expression that cannot be parsed or rendered; `message` is meant for admins. */
export class TemplateError extends Error {
  constructor(
    readonly kind: TemplateErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "TemplateError";
  }

  static fromLiquid(error: unknown, phase: "parse" | "render"): TemplateError {
    if (error instanceof TemplateError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (LiquidError.is(error) && error.name === "UndefinedVariableError") return new TemplateError("undefined_variable", message);
    if (/limit exceeded/.test(message)) return new TemplateError("limit", message);
    return new TemplateError(phase === "parse" ? "syntax" : "render", message);
  }
}
