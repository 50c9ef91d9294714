"use client";
/**
 * Choosing an uploaded recording for a prompt: the library as a list (with
 * each recording's length), a play button beside the chosen one, "Upload
 * audio…" (progress and the server's error shown right here; the new
 * recording is chosen when it arrives) and the library dialog for renaming
 * and deleting. Uploads go to POST /api/audio-prompts (multipart); the list
 * comes with the editor's picker options.
 */
import { useEffect, useRef, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useQueryClient } from "@tanstack/react-query";
import { Library, Pause, Play, Upload } from "lucide-react";
import { useTRPC } from "../../../trpc";
import { inputClass, smallButtonClass } from "../FieldShell";
import { useInspector } from "../InspectorContext";
import type { ControlIds } from "../FieldShell";
import { AudioLibraryDialog } from "./AudioLibraryDialog";
import { useErrorText } from "../../../ui/formErrors";
import type { WidgetProps } from "./types";

export const audioPromptUrl = (id: string) => `/api/audio-prompts/${encodeURIComponent(id)}`;

/** "2.5 s" / "2,5 mp": short recordings are what prompts are. */
export function useDurationText() {
  const t = useTranslations("editor.audio");
  const locale = useLocale();
  return (durationMs: number | null | undefined) =>
    durationMs === null || durationMs === undefined
      ? t("durationUnknown")
      : t("duration", { seconds: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(durationMs / 1000) });
}

interface UploadedPrompt {
  id: string;
  name: string;
}

type UploadResult = { ok: true; prompt: UploadedPrompt } | { ok: false; error: string };

/** XHR rather than fetch: only XHR reports upload progress. */
function uploadAudio(file: File, onProgress: (percent: number) => void): Promise<UploadResult> {
  return new Promise((resolve) => {
    const form = new FormData();
    form.set("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/audio-prompts");
    request.responseType = "json";
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    request.onload = () => {
      const body = request.response as { audioPrompt?: UploadedPrompt; error?: { messageKey?: string; message?: string } } | null;
      if (request.status === 201 && body?.audioPrompt) resolve({ ok: true, prompt: body.audioPrompt });
      else resolve({ ok: false, error: body?.error?.messageKey ?? body?.error?.message ?? "editor.errors.audio.failed" });
    };
    request.onerror = () => resolve({ ok: false, error: "editor.errors.audio.failed" });
    request.send(form);
  });
}

/** Play/stop for one recording; the browser fetches it (with Range) only when asked. */
export function AudioPreviewButton({ id, name }: { id: string; name: string }) {
  const t = useTranslations("editor.audio");
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    // Another recording chosen: stop the old one.
    const element = audio.current;
    return () => element?.pause();
  }, [id]);
  function toggle() {
    const element = audio.current;
    if (!element) return;
    if (playing) {
      element.pause();
      element.currentTime = 0;
    } else void element.play().catch(() => setPlaying(false));
  }
  return (
    <>
      <button type="button" className={smallButtonClass} onClick={toggle} aria-label={playing ? t("stop", { name }) : t("play", { name })} title={playing ? t("stop", { name }) : t("play", { name })}>
        {playing ? <Pause aria-hidden className="h-3.5 w-3.5" /> : <Play aria-hidden className="h-3.5 w-3.5" />}
      </button>
      <audio ref={audio} src={audioPromptUrl(id)} preload="none" onPlay={() => setPlaying(true)} onPause={() => setPlaying(false)} onEnded={() => setPlaying(false)} />
    </>
  );
}

export function AudioPromptPicker({
  value,
  onChange,
  ids,
  emptyLabel,
}: {
  value: string | undefined;
  onChange: (id: string | undefined) => void;
  ids: ControlIds;
  /** The first choice: no recording. */
  emptyLabel: string;
}) {
  const t = useTranslations("editor.audio");
  const tInspector = useTranslations("editor.inspector");
  const errorText = useErrorText();
  const durationText = useDurationText();
  const { options } = useInspector();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fileInput = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const library = options.audioPrompts ?? [];
  const current = value ?? "";
  const chosen = library.find((prompt) => prompt.id === current);
  const missing = current !== "" && options.audioPrompts !== undefined && !chosen;

  async function refreshLibrary() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.flows.pickerOptions.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.audioPrompts.list.queryKey() }),
    ]);
  }

  async function upload(file: File) {
    setError(null);
    setProgress(0);
    const result = await uploadAudio(file, setProgress);
    if (result.ok) {
      await refreshLibrary();
      onChange(result.prompt.id);
    } else setError(result.error);
    setProgress(null);
    if (fileInput.current) fileInput.current.value = "";
  }

  const uploadId = `${ids.id}-upload`;
  const statusId = `${ids.id}-upload-status`;
  return (
    <div className="space-y-1.5">
      <div className="flex items-center gap-1.5">
        <select
          id={ids.id}
          value={current}
          onChange={(event) => onChange(event.target.value || undefined)}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid || missing}
          className={`${inputClass} min-w-0`}
        >
          <option value="">{emptyLabel}</option>
          {missing ? <option value={current}>{tInspector("missingOption", { id: current })}</option> : null}
          {library.map((prompt) => (
            <option key={prompt.id} value={prompt.id}>
              {prompt.label} · {durationText(prompt.durationMs)}
            </option>
          ))}
        </select>
        {chosen ? <AudioPreviewButton id={chosen.id} name={chosen.label} /> : null}
      </div>
      <div className="flex flex-wrap items-center gap-1.5">
        <label htmlFor={uploadId} className={`${smallButtonClass} cursor-pointer focus-within:ring-2 focus-within:ring-brand-500 ${progress !== null ? "pointer-events-none opacity-40" : ""}`}>
          <Upload aria-hidden className="h-3.5 w-3.5" />
          {t("upload")}
          <input
            ref={fileInput}
            id={uploadId}
            type="file"
            accept=".wav,.mp3,audio/wav,audio/x-wav,audio/mpeg"
            className="sr-only"
            disabled={progress !== null}
            aria-describedby={statusId}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void upload(file);
            }}
          />
        </label>
        <button type="button" className={smallButtonClass} onClick={() => setLibraryOpen(true)}>
          <Library aria-hidden className="h-3.5 w-3.5" />
          {t("manage")}
        </button>
      </div>
      <div id={statusId} className="text-xs">
        {progress !== null ? (
          <div role="status" className="flex items-center gap-2 text-slate-600">
            <progress max={100} value={progress} className="h-1.5 w-24 accent-brand-600" aria-label={t("uploading", { percent: progress })} />
            {t("uploading", { percent: progress })}
          </div>
        ) : error ? (
          <p role="alert" className="text-red-700">
            {errorText(error)}
          </p>
        ) : (
          <p className="text-slate-500">{t("fileHint")}</p>
        )}
      </div>
      <AudioLibraryDialog open={libraryOpen} onClose={() => setLibraryOpen(false)} onChanged={refreshLibrary} />
    </div>
  );
}

/** The `audio` widget (a play node's "Recorded audio"): a recording or none (the text is spoken). */
export function AudioWidget({ value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.audio");
  return <AudioPromptPicker ids={ids} value={typeof value === "string" ? value : undefined} onChange={onChange} emptyLabel={t("none")} />;
}
