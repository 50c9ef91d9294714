"use client";
/**
 * What the caller hears: the text (a template) and, optionally, the language
 * it is spoken in. Without a language the prompt is stored as a plain string,
 * spoken in the flow's language. (Uploading recorded audio is not offered yet.)
 */
import { useTranslations } from "next-intl";
import { type ControlIds } from "../FieldShell";
import { TemplateInput } from "../TemplateInput";
import { LanguageSelect } from "./basic";
import { readPrompt, writePrompt } from "./promptValue";
import type { WidgetProps } from "./types";

export function PromptWidget({ field, value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const prompt = readPrompt(value);
  const languageIds: ControlIds = { id: `${ids.id}-language`, invalid: false };
  return (
    <div className="space-y-1.5">
      <TemplateInput ids={ids} value={prompt.text} multiline placeholder={t("promptPlaceholder")} onChange={(text) => onChange(writePrompt({ ...prompt, text }, field.optional))} />
      <div className="flex items-center gap-2">
        <label htmlFor={languageIds.id} className="shrink-0 text-xs text-slate-500">
          {t("spokenIn")}
        </label>
        <LanguageSelect
          ids={languageIds}
          value={prompt.language}
          emptyLabel={t("flowLanguage")}
          onChange={(language) => onChange(writePrompt({ ...prompt, language }, field.optional))}
        />
      </div>
    </div>
  );
}
