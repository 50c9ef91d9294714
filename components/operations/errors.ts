"use client";
import { useTranslations } from "next-intl";
import { TRPCClientError } from "@trpc/client";
import type { ZodError } from "zod";

/** Field errors keyed by the full dotted path (`numbers.1.number`, `busy.destination.number`), `_form` for the rest. */
export type PathErrors = Record<string, string>;

/** Translates i18n keys (`errors.…`, `operations.errors.…`); other messages (zod's, already localised) pass through. */
export function useOpsErrorText() {
  const t = useTranslations();
  return (message: string | undefined) => {
    if (!message) return undefined;
    return /^(operations\.)?errors\./.test(message) && t.has(message) ? t(message) : message;
  };
}

export function pathErrorsFromZod(error: ZodError): PathErrors {
  const errors: PathErrors = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "_form"] ??= issue.message;
  return errors;
}

interface ServerErrorData {
  field?: string | null;
  messageKey?: string | null;
  issues?: { path: string; message: string }[] | null;
  code?: string;
}

/** A failed tRPC call as field errors: the server names the field (full path) and an i18n key. */
export function pathErrorsFromServer(error: unknown): PathErrors {
  if (!(error instanceof TRPCClientError)) return { _form: "errors.generic" };
  const data = (error.data ?? {}) as ServerErrorData;
  if (data.issues?.length) return Object.fromEntries(data.issues.map((i) => [i.path.replace(/^data\./, "") || "_form", i.message]));
  const message = data.messageKey ?? (data.code === "FORBIDDEN" ? "errors.forbidden" : "errors.generic");
  return { [data.field ?? "_form"]: message };
}
