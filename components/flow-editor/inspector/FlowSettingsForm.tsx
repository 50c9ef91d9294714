"use client";
/** Shown when nothing is selected: the flow's name, description and default language. */
import { useTranslations } from "next-intl";
import type { EditorDocument } from "../editorDocument";
import type { FlowSettings } from "../documentEdits";
import { FieldShell, inputClass } from "./FieldShell";
import { LanguageSelect } from "./widgets/basic";

export function FlowSettingsForm({ document, onChange }: { document: EditorDocument; onChange: (settings: FlowSettings, field: string) => void }) {
  const t = useTranslations("editor.settings");
  const settings: FlowSettings = { name: document.name, description: document.description, language: document.language };
  return (
    <div className="space-y-4">
      <header>
        <h2 className="text-sm font-semibold text-slate-900">{t("title")}</h2>
        <p className="text-xs text-slate-500">{t("intro")}</p>
      </header>
      <FieldShell label={t("name")} error={document.name.trim() === "" ? t("nameRequired") : undefined}>
        {({ id, describedBy, invalid }) => (
          <input id={id} value={document.name} aria-describedby={describedBy} aria-invalid={invalid} onChange={(event) => onChange({ ...settings, name: event.target.value }, "name")} className={inputClass} />
        )}
      </FieldShell>
      <FieldShell label={t("description")}>
        {({ id }) => (
          <textarea id={id} rows={3} value={document.description ?? ""} onChange={(event) => onChange({ ...settings, description: event.target.value }, "description")} className={inputClass} />
        )}
      </FieldShell>
      <FieldShell label={t("language")} help={t("languageHelp")}>
        {(ids) => (
          <LanguageSelect ids={ids} value={document.language} emptyLabel={t("defaultLanguage")} onChange={(language) => onChange({ ...settings, language }, "language")} />
        )}
      </FieldShell>
    </div>
  );
}
