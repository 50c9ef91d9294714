"use client";
/** Creating a flow: a name and a starting point (empty, or one of the starter templates in the admin's language). */
import { type FormEvent, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import type { Locale } from "@/flows/model/types";
import { starterTemplates, type StarterTemplate } from "@/lib/flowTemplates";
import { Modal } from "../../ui/Modal";
import { TextField } from "../../ui/Field";
import { FormActions, FormError } from "../../directory/bits";

export function NewFlowDialog({
  open,
  pending,
  error,
  onCreate,
  onClose,
}: {
  open: boolean;
  pending: boolean;
  error?: string;
  onCreate: (document: unknown) => void;
  onClose: () => void;
}) {
  const t = useTranslations("editor.list");
  const locale = useLocale() as Locale;
  const [templateId, setTemplateId] = useState<StarterTemplate["id"]>("empty");
  const [nameError, setNameError] = useState<string>();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    if (!name) return setNameError(t("nameRequired"));
    setNameError(undefined);
    const template = starterTemplates.find((item) => item.id === templateId) ?? starterTemplates[0];
    onCreate(template.build(locale, name));
  }

  return (
    <Modal open={open} title={t("newTitle")} onClose={onClose}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField label={t("name")} name="name" placeholder={t("namePlaceholder")} error={nameError} autoFocus />
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-700">{t("startFrom")}</legend>
          <div className="space-y-2">
            {starterTemplates.map((template) => (
              <label
                key={template.id}
                className={`flex cursor-pointer gap-3 rounded-lg p-3 ring-1 ${templateId === template.id ? "bg-brand-50 ring-brand-500" : "ring-slate-200 hover:bg-slate-50"}`}
              >
                <input type="radio" name="template" value={template.id} checked={templateId === template.id} onChange={() => setTemplateId(template.id)} className="mt-1" />
                <span>
                  <span className="block text-sm font-medium text-slate-900">{template.title[locale]}</span>
                  <span className="block text-xs text-slate-500">{template.description[locale]}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <FormError message={error} />
        <FormActions pending={pending} onCancel={onClose} />
      </form>
    </Modal>
  );
}
