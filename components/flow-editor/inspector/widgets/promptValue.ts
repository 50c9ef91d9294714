/** A prompt's two stored forms (API.md): a plain string, or `{text, language?, audio_id?}`. */

export interface DetailedPrompt {
  text: string;
  language?: string;
  audio_id?: string;
}

export function readPrompt(value: unknown): DetailedPrompt {
  if (typeof value === "string") return { text: value };
  if (value && typeof value === "object" && typeof (value as DetailedPrompt).text === "string") return value as DetailedPrompt;
  return { text: "" };
}

/** A string when only text is set; nothing at all when an optional prompt is emptied. */
export function writePrompt(prompt: DetailedPrompt, optional: boolean): unknown {
  const { text, language, audio_id } = prompt;
  if (optional && text === "" && !language && !audio_id) return undefined;
  if (!language && !audio_id) return text;
  return { text, ...(language ? { language } : {}), ...(audio_id ? { audio_id } : {}) };
}
