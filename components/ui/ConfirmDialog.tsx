"use client";
import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { Modal } from "./Modal";
import { Button } from "./Button";

/** A confirmation before something that cannot be undone; "Delete" unless a verb of its own is given (revoke, rotate…). */
export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  danger = true,
  error,
  pending,
  children,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  text: string;
  confirmLabel?: string;
  danger?: boolean;
  error?: string;
  pending?: boolean;
  children?: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useTranslations("common");
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p className="text-sm whitespace-pre-line text-slate-600">{text}</p>
      {children ? <div className="mt-4">{children}</div> : null}
      {error ? (
        <p role="alert" className="mt-3 text-sm text-red-600">
          {error}
        </p>
      ) : null}
      <div className="mt-6 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          {t("cancel")}
        </Button>
        <Button variant={danger ? "danger" : "primary"} onClick={onConfirm} disabled={pending}>
          {confirmLabel ?? t("delete")}
        </Button>
      </div>
    </Modal>
  );
}
