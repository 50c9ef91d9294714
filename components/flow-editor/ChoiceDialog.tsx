"use client";
import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";

/** A confirmation whose button says what will happen ("Roll back", "Replace"), unlike the portal's delete confirmation. */
export function ChoiceDialog({
  open,
  title,
  confirmLabel,
  pending,
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  pending?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const common = useTranslations("common");
  return (
    <Modal open={open} title={title} onClose={onClose}>
      <div className="text-sm text-slate-600">{children}</div>
      <div className="mt-6 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          {common("cancel")}
        </Button>
        <Button onClick={onConfirm} disabled={pending}>
          {confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
