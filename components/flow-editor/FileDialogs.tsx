"use client";
/** Import of a flow file: a hidden file input, and a dialog listing why a file could not be read. */
import type { ChangeEvent, Ref } from "react";
import { useTranslations } from "next-intl";
import type { DocumentIssue } from "@/flows/model/types";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";

/** A hidden file input for `.json` flow files, opened by a visible button with `ref.current.click()`. Hands over the file's text. */
export function FlowFileInput({ onText, ref }: { onText: (text: string) => void; ref: Ref<HTMLInputElement> }) {
  async function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (file) onText(await file.text());
  }
  return <input ref={ref} type="file" accept=".json,application/json" hidden onChange={onChange} />;
}

export function ImportErrorsDialog({ errors, onClose }: { errors: DocumentIssue[] | null; onClose: () => void }) {
  const t = useTranslations("editor.import");
  const common = useTranslations("common");
  return (
    <Modal open={errors !== null} title={t("errorTitle")} onClose={onClose}>
      <p className="text-sm text-slate-600">{t("errorIntro")}</p>
      <ul role="alert" className="mt-3 max-h-64 space-y-1 overflow-y-auto rounded-md bg-red-50 p-3 text-xs text-red-800">
        {(errors ?? []).slice(0, 20).map((error, index) => (
          <li key={index}>
            {error.path ? <code className="mr-1 font-mono">{error.path}</code> : null}
            {error.message}
          </li>
        ))}
      </ul>
      <div className="mt-5 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          {common("close")}
        </Button>
      </div>
    </Modal>
  );
}
