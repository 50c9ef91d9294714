"use client";
/**
 * The audio prompt library in a dialog: every uploaded recording with its
 * length, a play button, renaming and deleting. Deleting a recording that a
 * flow still plays is refused by the server, which names the flows; the
 * message is shown on that row.
 */
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Check, Pencil, Trash2, X } from "lucide-react";
import { useTRPC } from "../../../trpc";
import { Modal } from "../../../ui/Modal";
import { Button } from "../../../ui/Button";
import { fieldErrorsFromServer, useErrorText } from "../../../ui/formErrors";
import { iconButtonClass, inputClass } from "../FieldShell";
import { AudioPreviewButton, useDurationText } from "./AudioPromptPicker";

export function AudioLibraryDialog({ open, onClose, onChanged }: { open: boolean; onClose: () => void; onChanged: () => Promise<void> }) {
  const t = useTranslations("editor.audio");
  const errorText = useErrorText();
  const durationText = useDurationText();
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.audioPrompts.list.queryOptions(), enabled: open });
  const rename = useMutation(trpc.audioPrompts.rename.mutationOptions());
  const remove = useMutation(trpc.audioPrompts.delete.mutationOptions());
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; message: string } | null>(null);

  async function run(id: string, action: () => Promise<unknown>) {
    setRowError(null);
    try {
      await action();
      await Promise.all([list.refetch(), onChanged()]);
      return true;
    } catch (error) {
      const errors = fieldErrorsFromServer(error);
      setRowError({ id, message: errors.name ?? errors._form ?? Object.values(errors)[0] });
      return false;
    }
  }

  const prompts = list.data ?? [];
  return (
    <Modal open={open} title={t("libraryTitle")} onClose={onClose}>
      {prompts.length === 0 ? (
        <p className="text-sm text-slate-500">{list.isLoading ? t("loading") : t("libraryEmpty")}</p>
      ) : (
        <ul className="max-h-96 divide-y divide-slate-100 overflow-y-auto">
          {prompts.map((prompt) => (
            <li key={prompt.id} className="py-2">
              <div className="flex items-center gap-2">
                <AudioPreviewButton id={prompt.id} name={prompt.name} />
                {editing?.id === prompt.id ? (
                  <form
                    className="flex min-w-0 flex-1 items-center gap-1"
                    onSubmit={async (event) => {
                      event.preventDefault();
                      if (await run(prompt.id, () => rename.mutateAsync(editing))) setEditing(null);
                    }}
                  >
                    <input
                      aria-label={t("nameOf", { name: prompt.name })}
                      value={editing.name}
                      maxLength={100}
                      onChange={(event) => setEditing({ id: prompt.id, name: event.target.value })}
                      className={inputClass}
                      autoFocus
                    />
                    <button type="submit" className={iconButtonClass} aria-label={t("save")} title={t("save")}>
                      <Check aria-hidden className="h-4 w-4" />
                    </button>
                    <button type="button" className={iconButtonClass} aria-label={t("cancel")} title={t("cancel")} onClick={() => setEditing(null)}>
                      <X aria-hidden className="h-4 w-4" />
                    </button>
                  </form>
                ) : (
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium text-slate-800">{prompt.name}</p>
                    <p className="truncate text-xs text-slate-500">
                      {durationText(prompt.durationMs)} · {prompt.contentType === "audio/mpeg" ? "MP3" : "WAV"} · {Math.max(1, Math.round(prompt.sizeBytes / 1024))} kB ·{" "}
                      {prompt.originalFileName}
                    </p>
                  </div>
                )}
                {editing?.id === prompt.id ? null : confirming === prompt.id ? (
                  <span className="flex shrink-0 items-center gap-1">
                    <Button variant="danger" className="px-2 py-1 text-xs" onClick={() => void run(prompt.id, () => remove.mutateAsync({ id: prompt.id })).then(() => setConfirming(null))}>
                      {t("confirmDelete")}
                    </Button>
                    <button type="button" className={iconButtonClass} aria-label={t("cancel")} title={t("cancel")} onClick={() => setConfirming(null)}>
                      <X aria-hidden className="h-4 w-4" />
                    </button>
                  </span>
                ) : (
                  <span className="flex shrink-0 items-center">
                    <button type="button" className={iconButtonClass} aria-label={t("rename", { name: prompt.name })} title={t("rename", { name: prompt.name })} onClick={() => setEditing({ id: prompt.id, name: prompt.name })}>
                      <Pencil aria-hidden className="h-4 w-4" />
                    </button>
                    <button type="button" className={iconButtonClass} aria-label={t("delete", { name: prompt.name })} title={t("delete", { name: prompt.name })} onClick={() => setConfirming(prompt.id)}>
                      <Trash2 aria-hidden className="h-4 w-4" />
                    </button>
                  </span>
                )}
              </div>
              {rowError?.id === prompt.id ? (
                <p role="alert" className="mt-1 text-xs text-red-700">
                  {errorText(rowError.message)}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-5 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          {t("close")}
        </Button>
      </div>
    </Modal>
  );
}
