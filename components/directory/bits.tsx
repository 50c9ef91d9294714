"use client";
import { useTranslations } from "next-intl";
import { Plus } from "lucide-react";
import { Button } from "../ui/Button";

export function FormError({ message }: { message?: string }) {
  return message ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  ) : null;
}

export function FormActions({ pending, onCancel }: { pending: boolean; onCancel: () => void }) {
  const t = useTranslations("common");
  return (
    <div className="flex justify-end gap-2 pt-2">
      <Button variant="secondary" onClick={onCancel}>
        {t("cancel")}
      </Button>
      <Button type="submit" disabled={pending}>
        {pending ? t("saving") : t("save")}
      </Button>
    </div>
  );
}

export function StatusBadge({ on, onText, offText }: { on: boolean; onText: string; offText: string }) {
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${on ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-600"}`}>
      {on ? onText : offText}
    </span>
  );
}

/** The "Add …" button above a list. */
export function AddButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <div className="mb-4 flex justify-end">
      <Button onClick={onClick}>
        <Plus aria-hidden className="h-4 w-4" />
        {label}
      </Button>
    </div>
  );
}
