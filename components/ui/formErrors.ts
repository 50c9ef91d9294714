"use client";
import { useTranslations } from "next-intl";
import { TRPCClientError } from "@trpc/client";
import type { ZodError } from "zod";

/** Field errors keyed by the field's dotted path (`email`, `numbers.1.number`); `_form` for the rest. */
export type FieldErrors = Record<string, string>;

/** Messages are either i18n keys (`errors.…`, `<area>.errors.…`) or zod's own text, which zod already localises. */
export function useErrorText() {
  const t = useTranslations();
  return (message: string | undefined) => {
    if (!message) return undefined;
    return /^([a-z]+\.)?errors\./i.test(message) && t.has(message) ? t(message) : message;
  };
}

export function fieldErrorsFromZod(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "_form"] ??= issue.message;
  return errors;
}

interface ServerErrorData {
  field?: string | null;
  messageKey?: string | null;
  issues?: { path: string; message: string }[] | null;
  code?: string;
}

/** Maps a failed mutation to field errors (the server names the field) or a form-level message. */
export function fieldErrorsFromServer(error: unknown): FieldErrors {
  if (!(error instanceof TRPCClientError)) return { _form: "errors.generic" };
  const data = (error.data ?? {}) as ServerErrorData;
  // Inputs wrapped as `{ id, data: {...} }` report `data.<field>`: the form knows the field without the wrapper.
  if (data.issues?.length) return Object.fromEntries(data.issues.map((i) => [i.path.replace(/^data\./, "") || "_form", i.message]));
  const message = data.messageKey ?? (data.code === "FORBIDDEN" ? "errors.forbidden" : "errors.generic");
  return { [data.field ?? "_form"]: message };
}
