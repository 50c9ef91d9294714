/**
 * RFC 9457 problem details: the one error shape of the public API
 * (API.md §Conventions). Every failure — bad input, auth, service and call
 * control errors, crashes — leaves the API through `problemResponse`.
 *
 * A CRM developer reads these: `detail` and every `errors[].message` are
 * English sentences, `code` (top level and per field) is the stable machine
 * code to branch on. Services and shared schemas speak i18n keys to the portal
 * (`messageKey`, custom zod messages such as `integration.errors.url`); here
 * those keys become the portal's English text, so no key reaches a client.
 */
import { ZodError, type z } from "zod";
import { messagesFor } from "@/lib/i18n/messages";
import { ServiceError } from "@/server/services/errors";
import { PbxError } from "@/server/pbx/errors";

export interface FieldError {
  /** Dotted path of the offending field: `to`, `numbers.0.number`; `query.limit`, `path.id`, `header.Idempotency-Key` outside the body. */
  path: string;
  /** The offending field's own name (the path's last name), when the error is about one field. */
  field?: string;
  /** Stable machine code: `required`, `unknown_field`, `too_small`, `invalid_url`, `duplicate`, … */
  code: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  /** Stable machine code of the problem: `validation_failed`, `not_found`, `missing_scope`, … */
  code: ProblemCode;
  detail: string;
  errors?: FieldError[];
}

/** Every top-level `code` the API answers; a client may branch on them (documented as the Problem schema's enum). */
export const problemCodes = [
  "validation_failed",
  "malformed_json",
  "unauthorized",
  "forbidden",
  "missing_scope",
  "ip_not_allowed",
  "not_found",
  "method_not_allowed",
  "not_acceptable",
  "conflict",
  "precondition_failed",
  "precondition_required",
  "body_too_large",
  "unsupported_media_type",
  "range_not_satisfiable",
  "idempotency_key_reused",
  "rate_limited",
  "internal_error",
  "unavailable",
] as const;
export type ProblemCode = (typeof problemCodes)[number];

/** Per status: its title and the problem `code` it has unless the thrower names a more precise one. */
const statuses = {
  400: { title: "Bad Request", code: "validation_failed" },
  401: { title: "Unauthorized", code: "unauthorized" },
  403: { title: "Forbidden", code: "forbidden" },
  404: { title: "Not Found", code: "not_found" },
  405: { title: "Method Not Allowed", code: "method_not_allowed" },
  406: { title: "Not Acceptable", code: "not_acceptable" },
  409: { title: "Conflict", code: "conflict" },
  412: { title: "Precondition Failed", code: "precondition_failed" },
  413: { title: "Content Too Large", code: "body_too_large" },
  415: { title: "Unsupported Media Type", code: "unsupported_media_type" },
  416: { title: "Range Not Satisfiable", code: "range_not_satisfiable" },
  422: { title: "Unprocessable Content", code: "idempotency_key_reused" },
  428: { title: "Precondition Required", code: "precondition_required" },
  429: { title: "Too Many Requests", code: "rate_limited" },
  500: { title: "Internal Server Error", code: "internal_error" },
  503: { title: "Service Unavailable", code: "unavailable" },
} satisfies Record<number, { title: string; code: ProblemCode }>;
export type ProblemStatus = keyof typeof statuses;

/** A failure with its HTTP status, thrown anywhere in a request and turned into problem+json once. */
export class ApiProblem extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string>; type?: string; code?: ProblemCode } = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
  }

  toBody(): ProblemBody {
    const body: ProblemBody = {
      type: this.options.type ?? "about:blank",
      title: statuses[this.status].title,
      status: this.status,
      code: this.options.code ?? statuses[this.status].code,
      detail: this.detail,
    };
    if (this.options.errors && this.options.errors.length > 0) body.errors = this.options.errors.map(withFieldName);
    return body;
  }
}

/** `numbers.0.number` → `number`, `query.limit` → `limit`; none for the body as a whole (`""`). */
function withFieldName(error: FieldError): FieldError {
  const field = error.field ?? error.path.split(".").filter((part) => part !== "" && !/^\d+$/.test(part)).pop();
  return field === undefined ? error : { path: error.path, field, code: error.code, message: error.message };
}

const serviceStatus: Record<ServiceError["code"], ProblemStatus> = { not_found: 404, conflict: 409, invalid: 400, forbidden: 403, precondition_failed: 412 };
const pbxStatus: Record<PbxError["code"], ProblemStatus> = { not_found: 404, conflict: 409, invalid: 400, unavailable: 503 };

/** Services name fields in camelCase (`flowId`); the API speaks snake_case (`flow_id`). */
export function toApiFieldPath(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const english = messagesFor("en");
/** What an i18n key looks like (`errors.required`, `integration.errors.url`): never a sentence for a client. */
export const I18N_KEY = /^[a-z]+(\.[a-zA-Z_]+)+$/;

/** The portal's English text of an i18n key, `{placeholders}` filled from `values`; undefined when there is none or one stays open. */
export function englishText(key: string, values: Record<string, unknown> = {}): string | undefined {
  const text = key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), english);
  if (typeof text !== "string") return undefined;
  const filled = text.replace(/\{(\w+)\}/g, (whole, name: string) => (values[name] === undefined ? whole : String(values[name])));
  return /\{\w+\}/.test(filled) ? undefined : filled;
}

/** A message as a client reads it: English stays, an i18n key becomes its English text (or `fallback`). */
function forPeople(message: string, fallback: string, values?: Record<string, unknown>): string {
  if (message.trim() === "") return fallback;
  return I18N_KEY.test(message) ? (englishText(message, values) ?? fallback) : message;
}

/** Field codes of the i18n keys whose own last name does not say it plainly (`errors.emailTaken` → `duplicate`). */
const keyCodes: Record<string, string> = {
  "errors.emailTaken": "duplicate",
  "errors.extensionTaken": "duplicate",
  "errors.didTaken": "duplicate",
  "operations.errors.externalIdTaken": "duplicate",
  "operations.errors.duplicateInFile": "duplicate",
  "errors.phoneNumber": "invalid_phone_number",
  "operations.errors.phoneNumber": "invalid_phone_number",
  "errors.email": "invalid_email",
  "errors.extensionNumber": "invalid_extension",
  "integration.errors.url": "invalid_url",
  "integration.errors.urlCredentials": "credentials_in_url",
  "integration.errors.urlRefused": "url_not_allowed",
  "integration.errors.headerName": "invalid_header_name",
  "integration.errors.headerReserved": "reserved_header",
  "integration.errors.headerValue": "invalid_header_value",
  "integration.errors.secretRequired": "required",
  "integration.errors.template": "invalid_template",
  "integration.errors.kindChange": "immutable",
  "integration.errors.retryInterval": "out_of_range",
  "integration.errors.retryIntervals": "too_small",
  "integration.errors.events": "too_small",
  "integration.errors.scopes": "too_small",
  "integration.errors.variableName": "invalid_variable_name",
  "integration.errors.ipEntry": "invalid_ip",
  "operations.errors.invalidValue": "invalid_value",
  "operations.errors.tooLong": "too_big",
};

/** The stable code of an i18n key: from the table, else its last name in snake_case (`errors.notFound` → `not_found`). */
function codeOfKey(key: string): string {
  return keyCodes[key] ?? toApiFieldPath(key.slice(key.lastIndexOf(".") + 1));
}

const joinPath = (...parts: string[]) => parts.filter((part) => part !== "").join(".");

/** zod issues as field errors: zod's own code and English message, or the English text and code of a custom message's i18n key. */
export function zodFieldErrors(error: ZodError | z.core.$ZodIssue[], prefix = ""): FieldError[] {
  const issues = error instanceof ZodError ? error.issues : error;
  return issues.flatMap((issue): FieldError[] => {
    const path = prefix + issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: prefix + joinPath(issue.path.map(String).join("."), key), code: "unknown_field", message: `Unknown field "${key}"; remove it` }));
    }
    // A record key or map element refused by its own schema: its issues say why (e.g. a reserved header name).
    if ((issue.code === "invalid_key" || issue.code === "invalid_element") && issue.issues.length > 0) {
      const at = issue.code === "invalid_element" ? joinPath(path, String(issue.key)) : path;
      return zodFieldErrors(issue.issues, at === "" ? "" : `${at}.`).map((inner) => ({ ...inner, path: inner.path.replace(/\.$/, "") }));
    }
    if (I18N_KEY.test(issue.message)) {
      const values = "minimum" in issue ? { min: issue.minimum } : "maximum" in issue ? { max: issue.maximum } : {};
      return [{ path, code: codeOfKey(issue.message), message: forPeople(issue.message, "This value is not valid", values) }];
    }
    // zod's English for a missing value is "Invalid input: expected …, received undefined".
    if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return [{ path, code: "required", message: "Required" }];
    return [{ path, code: issue.code === "custom" ? "invalid_value" : issue.code, message: forPeople(issue.message, "This value is not valid") }];
  });
}

/** "The request body is invalid: url: Enter a full http:// or https:// address." — the lead, then the first few field errors in words. */
export function validationDetail(lead: string, errors: FieldError[]): string {
  const shown = errors.slice(0, 3).map((error) => `${error.path || "body"}: ${error.message.replace(/\.$/, "")}`);
  const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : "";
  return shown.length === 0 ? `${lead}.` : `${lead}: ${shown.join("; ")}${more}.`;
}

function serviceProblem(error: ServiceError): ApiProblem {
  const key = error.options.messageKey;
  const detail = forPeople(error.message, (key && englishText(key)) || "The request cannot be carried out");
  const field = error.options.field;
  const code = key ? codeOfKey(key) : error.code === "invalid" ? "invalid_value" : error.code;
  return new ApiProblem(serviceStatus[error.code], detail, field ? { errors: [{ path: toApiFieldPath(field), code, message: detail }] } : {});
}

/** Maps anything thrown during a request to a problem; `null` means "unexpected" (a 500 the caller logs). */
export function problemOf(error: unknown): ApiProblem | null {
  if (error instanceof ApiProblem) return error;
  if (error instanceof ZodError) {
    const errors = zodFieldErrors(error).map((e) => ({ ...e, path: toApiFieldPath(e.path) }));
    return new ApiProblem(400, validationDetail("The request is invalid", errors), { errors });
  }
  if (error instanceof ServiceError) return serviceProblem(error);
  if (error instanceof PbxError) return new ApiProblem(pbxStatus[error.code], forPeople(error.message, "The telephony engine refused the request"));
  return null;
}

/** The problem as status, body and headers, for either transport (a fetch `Response` or Node's `ServerResponse`). */
export function storedProblem(problem: ApiProblem): { status: number; body: string; headers: Record<string, string> } {
  return { status: problem.status, body: JSON.stringify(problem.toBody()), headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...problem.options.headers } };
}

export function problemResponse(problem: ApiProblem): Response {
  const { status, body, headers } = storedProblem(problem);
  return new Response(body, { status, headers });
}

export const internalError = () => new ApiProblem(500, "Something went wrong on our side; the error was logged");
