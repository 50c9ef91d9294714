"use client";
import { useTranslations } from "next-intl";
import { Modal } from "./Modal";
import { Button } from "./Button";

export function ConfirmDialog({
  open,
  title,
  text,
  error,
  pending,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  text: string;
  error?: string;
  pending?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useTranslations("common");
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <p className="text-sm whitespace-pre-line text-slate-600">{text}</p>
      {error ? (
        <p role="alert" className="mt-3 text-sm text-red-600">
          {error}
        </p>
      ) : null}
      <div className="mt-6 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          {t("cancel")}
        </Button>
        <Button variant="danger" onClick={onConfirm} disabled={pending}>
          {t("delete")}
        </Button>
      </div>
    </Modal>
  );
}
