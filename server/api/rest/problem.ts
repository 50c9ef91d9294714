/**
 * RFC 9457 problem details: the one error shape of the public API
 * (API.md §Conventions). Every failure — bad input, auth, service and call
 * control errors, crashes — leaves the API through `problemResponse`.
 */
import { ZodError, type z } from "zod";
import { ServiceError, type ServiceErrorCode } from "@/server/services/errors";
import { PbxError } from "@/server/pbx/errors";

export interface FieldError {
  /** Dotted path of the offending field: `to`, `numbers.0.number`; `query.limit`, `path.id`, `header.Idempotency-Key` outside the body. */
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A failure with its HTTP status, thrown anywhere in a request and turned into problem+json once. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; type?: string } = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
  }

  toBody(): ProblemBody {
    const body: ProblemBody = { type: this.options.type ?? "about:blank", title: titles[this.status] ?? "Error", status: this.status, detail: this.detail };
    if (this.options.errors && this.options.errors.length > 0) body.errors = this.options.errors;
    return body;
  }
}

const serviceStatus: Record<ServiceErrorCode, number> = { not_found: 404, conflict: 409, invalid: 400, forbidden: 403, precondition_failed: 412 };
const pbxStatus: Record<PbxError["code"], number> = { not_found: 404, conflict: 409, invalid: 400, unavailable: 503 };

/** Services name fields in camelCase (`flowId`); the API speaks snake_case (`flow_id`). */
export function toApiFieldPath(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function zodFieldErrors(error: ZodError | z.core.$ZodIssue[], prefix = ""): FieldError[] {
  const issues = error instanceof ZodError ? error.issues : error;
  return issues.map((issue) => ({ path: prefix + issue.path.map(String).join("."), message: issue.message }));
}

/** Maps anything thrown during a request to a problem; `null` means "unexpected" (a 500 the caller logs). */
export function problemOf(error: unknown): ApiProblem | null {
  if (error instanceof ApiProblem) return error;
  if (error instanceof ZodError) {
    const errors = zodFieldErrors(error).map((e) => ({ ...e, path: toApiFieldPath(e.path) }));
    return new ApiProblem(400, "The request is invalid", { errors });
  }
  if (error instanceof ServiceError) {
    const field = error.options.field;
    return new ApiProblem(serviceStatus[error.code], error.message, field ? { errors: [{ path: toApiFieldPath(field), message: error.message }] } : {});
  }
  if (error instanceof PbxError) return new ApiProblem(pbxStatus[error.code], error.message);
  return null;
}

export function problemResponse(problem: ApiProblem): Response {
  return new Response(JSON.stringify(problem.toBody()), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...problem.options.headers },
  });
}

export const internalError = () => new ApiProblem(500, "Something went wrong on our side; the error was logged");
