"use client";
import { useTranslations } from "next-intl";
import { TRPCClientError } from "@trpc/client";
import type { ZodError } from "zod";

export type FieldErrors = Record<string, string>;

/** Messages are either i18n keys (`errors.…`) or zod's own text, which zod already localises. */
export function useErrorText() {
  const t = useTranslations();
  return (message: string | undefined) => {
    if (!message) return undefined;
    return message.startsWith("errors.") && t.has(message) ? t(message) : message;
  };
}

export function fieldErrorsFromZod(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "_form");
    errors[field] ??= issue.message;
  }
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
  if (data.issues?.length) {
    return Object.fromEntries(data.issues.map((i) => [i.path.split(".").at(-1) ?? "_form", i.message]));
  }
  const message = data.messageKey ?? (data.code === "FORBIDDEN" ? "errors.forbidden" : "errors.generic");
  return { [data.field ?? "_form"]: message };
}
