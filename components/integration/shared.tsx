"use client";
import { useState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { TRPCClientError } from "@trpc/client";
import type { ZodError } from "zod";
import { Check, Copy, TriangleAlert } from "lucide-react";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";

/** A field's error: an i18n key (or zod's already-localised text) and, for some, the server's technical detail. */
export interface FieldError {
  key: string;
  detail?: string;
}
export type FieldErrors = Record<string, FieldError>;

/** Zod issues keyed by their full path (`auth.password`, `retry.intervals_s.2`), so nested fields show their own error. */
export function errorsFromZod(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "_form"] ??= { key: issue.message };
  return errors;
}

interface ServerErrorData {
  field?: string | null;
  messageKey?: string | null;
  issues?: { path: string; message: string }[] | null;
  code?: string;
}

/** A failed mutation as field errors: the server names the field and the message key; templates and URLs add their detail. */
export function errorsFromServer(error: unknown): FieldErrors {
  if (!(error instanceof TRPCClientError)) return { _form: { key: "errors.generic" } };
  const data = (error.data ?? {}) as ServerErrorData;
  if (data.issues?.length) return Object.fromEntries(data.issues.map((i) => [i.path || "_form", { key: i.message }]));
  const key = data.messageKey ?? (data.code === "FORBIDDEN" ? "errors.forbidden" : "errors.generic");
  const withDetail = key === "integration.errors.template" || key === "integration.errors.urlRefused";
  return { [data.field ?? "_form"]: { key, detail: withDetail ? error.message : undefined } };
}

/** Translates `errors.*` and `integration.errors.*` keys; anything else is zod's own (localised) text. */
export function useFieldErrorText() {
  const t = useTranslations();
  return (error: FieldError | undefined) => {
    if (!error) return undefined;
    const text = (error.key.startsWith("errors.") || error.key.startsWith("integration.")) && t.has(error.key) ? t(error.key) : error.key;
    return error.detail ? `${text} (${error.detail})` : text;
  };
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const t = useTranslations("integration.common");
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      aria-label={`${t("copy")}: ${label}`}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => setCopied(true));
      }}
    >
      {copied ? <Check aria-hidden className="h-4 w-4" /> : <Copy aria-hidden className="h-4 w-4" />}
      {copied ? t("copied") : t("copy")}
    </Button>
  );
}

/** A secret shown this one time, with copy buttons and a plain warning. */
export function SecretOnceDialog({
  open,
  title,
  values,
  onClose,
}: {
  open: boolean;
  title: string;
  values: { label: string; value: string }[];
  onClose: () => void;
}) {
  const t = useTranslations("integration.common");
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p role="alert" className="mb-4 flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
        <TriangleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
        {t("shownOnce")}
      </p>
      <div className="space-y-3">
        {values.map((item) => (
          <div key={item.label}>
            <p className="text-sm font-medium text-slate-700">{item.label}</p>
            <div className="mt-1 flex items-center gap-2">
              <code data-testid={`secret-${item.label}`} className="block flex-1 overflow-x-auto rounded-md bg-slate-100 px-3 py-2 font-mono text-xs break-all text-slate-900">
                {item.value}
              </code>
              <CopyButton value={item.value} label={item.label} />
            </div>
          </div>
        ))}
      </div>
      <div className="mt-6 flex justify-end">
        <Button onClick={onClose}>{t("savedIt")}</Button>
      </div>
    </Modal>
  );
}

export function Badge({ tone, children }: { tone: "green" | "red" | "amber" | "slate" | "blue"; children: ReactNode }) {
  const tones = {
    green: "bg-emerald-50 text-emerald-700",
    red: "bg-red-50 text-red-700",
    amber: "bg-amber-50 text-amber-800",
    slate: "bg-slate-100 text-slate-600",
    blue: "bg-sky-50 text-sky-700",
  } as const;
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${tones[tone]}`}>{children}</span>;
}

/** Dates as the admin reads them, in their language; `—` for never. */
export function useWhen() {
  const t = useTranslations("integration.common");
  return (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(t("dateLocale"), { dateStyle: "short", timeStyle: "medium" }) : t("never"));
}

/** An error class of the delivery log in plain words. */
export function useErrorClassText() {
  const t = useTranslations("integration.errorClasses");
  return (errorClass: string | null | undefined) => (errorClass ? (t.has(errorClass) ? t(errorClass) : errorClass) : "");
}

/** A square icon button whose label names the row it acts on (screen readers, tests). */
export function IconButton({ label, danger, onClick, children }: { label: string; danger?: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={label}
      title={label}
      className={`rounded-md p-2 text-slate-500 ${danger ? "hover:bg-red-50 hover:text-red-600" : "hover:bg-slate-100 hover:text-slate-800"}`}
    >
      {children}
    </button>
  );
}
