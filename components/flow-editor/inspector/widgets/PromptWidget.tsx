"use client";
/**
 * What the caller hears: either text-to-speech (the text, a template, and
 * optionally the language it is spoken in) or a recording from the audio
 * library, with the text kept as its transcript (shown in test calls and the
 * call trace). Without a language or recording the prompt is stored as a
 * plain string, spoken in the flow's language. Play nodes choose their
 * language and recording in fields of their own, so there this widget is
 * text only.
 */
import { useState } from "react";
import { useTranslations } from "next-intl";
import { type ControlIds } from "../FieldShell";
import { TemplateInput } from "../TemplateInput";
import { AudioPromptPicker } from "./AudioPromptPicker";
import { LanguageSelect } from "./basic";
import { readPrompt, writePrompt } from "./promptValue";
import type { WidgetProps } from "./types";

type Mode = "speech" | "audio";

export function PromptWidget({ field, value, onChange, ids, recordedAudio = true }: WidgetProps & { recordedAudio?: boolean }) {
  const t = useTranslations("editor.inspector");
  const tAudio = useTranslations("editor.audio");
  const prompt = readPrompt(value);
  const [mode, setMode] = useState<Mode>(prompt.audio_id ? "audio" : "speech");
  const languageIds: ControlIds = { id: `${ids.id}-language`, invalid: false };
  const audioIds: ControlIds = { id: `${ids.id}-audio`, invalid: false };
  const write = (next: typeof prompt) => onChange(writePrompt(next, field.optional));

  function choose(next: Mode) {
    setMode(next);
    // Text-to-speech drops the recording; a recording keeps the language for its transcript.
    if (next === "speech" && prompt.audio_id) write({ ...prompt, audio_id: undefined });
  }

  const audio = recordedAudio && mode === "audio";
  return (
    <div className="space-y-1.5">
      {recordedAudio ? (
        <div role="radiogroup" aria-label={tAudio("modeLabel")} className="inline-flex rounded-md bg-slate-100 p-0.5 text-xs">
          {(["speech", "audio"] as const).map((option) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={mode === option}
              onClick={() => choose(option)}
              className={`rounded px-2 py-1 font-medium ${mode === option ? "bg-white text-slate-900 shadow-xs" : "text-slate-600 hover:text-slate-900"}`}
            >
              {tAudio(option === "speech" ? "modeSpeech" : "modeAudio")}
            </button>
          ))}
        </div>
      ) : null}
      {audio ? (
        <>
          <label htmlFor={audioIds.id} className="sr-only">
            {tAudio("modeAudio")}
          </label>
          <AudioPromptPicker ids={audioIds} value={prompt.audio_id} emptyLabel={tAudio("choose")} onChange={(audio_id) => write({ ...prompt, audio_id })} />
          <p className="pt-1 text-xs text-slate-500">{tAudio("transcriptHint")}</p>
        </>
      ) : null}
      <TemplateInput ids={ids} value={prompt.text} multiline placeholder={t("promptPlaceholder")} onChange={(text) => write({ ...prompt, text })} />
      {recordedAudio ? (
        <div className="flex items-center gap-2">
          <label htmlFor={languageIds.id} className="shrink-0 text-xs text-slate-500">
            {t("spokenIn")}
          </label>
          <LanguageSelect ids={languageIds} value={prompt.language} emptyLabel={t("flowLanguage")} onChange={(language) => write({ ...prompt, language })} />
        </div>
      ) : null}
    </div>
  );
}
