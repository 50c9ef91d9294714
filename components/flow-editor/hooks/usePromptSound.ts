"use client";
/**
 * Makes a test call audible: each new prompt the caller hears is played in the
 * browser — a recording from the audio library as it is, text through the
 * browser's speech synthesis in the prompt's language when "Speak prompts" is
 * on (remembered in localStorage). Browsers without speech synthesis (or
 * headless ones without voices) simply stay silent for text prompts: the
 * toggle is then disabled and says why.
 */
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import { audioPromptUrl } from "../inspector/widgets/AudioPromptPicker";
import type { TestCallState } from "./useTestCall";

const STORAGE_KEY = "switchboard.testCall.speakPrompts";

/** BCP 47 tags voices are listed under: the flow languages' usual regions, anything else as given. */
const SPEECH_LOCALES: Record<string, string> = { hu: "hu-HU", en: "en-US" };

export function speechLanguage(language: string): string {
  return SPEECH_LOCALES[language] ?? language;
}

function speechSynthesisOrNull(): SpeechSynthesis | null {
  if (typeof window === "undefined") return null;
  try {
    return "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function" ? window.speechSynthesis : null;
  } catch {
    return null;
  }
}

/** The toggle as saved in this browser; kept in memory too where storage is refused (private mode). */
let memorySetting: boolean | null = null;
const settingListeners = new Set<() => void>();

function readSetting(): boolean {
  if (memorySetting !== null) return memorySetting;
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== "0";
  } catch {
    return true;
  }
}

function writeSetting(on: boolean): void {
  memorySetting = on;
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? "1" : "0");
  } catch {
    // The choice lasts for this page only.
  }
  for (const listener of settingListeners) listener();
}

function subscribeSetting(listener: () => void): () => void {
  settingListeners.add(listener);
  return () => settingListeners.delete(listener);
}

const noSubscription = () => () => undefined;

function speak(synthesis: SpeechSynthesis, text: string, language: string): void {
  try {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = speechLanguage(language);
    // A voice of that language when the browser has one; otherwise the default voice reads it with `lang` set.
    const voice = synthesis.getVoices?.().find((candidate) => candidate.lang === utterance.lang || candidate.lang.startsWith(`${language}-`));
    if (voice) utterance.voice = voice;
    synthesis.speak(utterance);
  } catch {
    // No speech is better than a broken panel.
  }
}

export function usePromptSound(state: TestCallState | null) {
  // Read after hydration only: the server knows neither the browser's speech nor its storage.
  const speechAvailable = useSyncExternalStore(noSubscription, () => speechSynthesisOrNull() !== null, () => false);
  const speakPrompts = useSyncExternalStore(subscribeSetting, readSetting, () => true);
  const handled = useRef<{ callId: string | null; count: number }>({ callId: null, count: 0 });
  const audio = useRef<HTMLAudioElement | null>(null);

  const stop = useCallback(() => {
    audio.current?.pause();
    audio.current = null;
    try {
      speechSynthesisOrNull()?.cancel();
    } catch {
      // ignore
    }
  }, []);

  useEffect(() => {
    if (!state) return;
    if (handled.current.callId !== state.callId) {
      if (handled.current.callId !== null) stop();
      handled.current = { callId: state.callId, count: 0 };
    }
    const fresh = state.prompts.slice(handled.current.count);
    handled.current.count = state.prompts.length;
    const synthesis = speakPrompts ? speechSynthesisOrNull() : null;
    for (const prompt of fresh) {
      if (prompt.audioId) {
        audio.current?.pause();
        audio.current = new Audio(audioPromptUrl(prompt.audioId));
        void audio.current.play().catch(() => undefined);
      } else if (synthesis) speak(synthesis, prompt.text, prompt.language);
    }
  }, [state, speakPrompts, stop]);

  // The last prompt may still be playing when the call ends (polling lags a little): it finishes; closing the editor stops it.
  useEffect(() => stop, [stop]);

  function setSpeak(on: boolean) {
    if (!on) speechSynthesisOrNull()?.cancel();
    writeSetting(on);
  }

  return { speechAvailable, speakPrompts: speechAvailable && speakPrompts, setSpeakPrompts: setSpeak };
}
