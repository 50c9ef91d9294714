"use client";
/** The editor's header: back to the list, the flow's name and state, save status, history of edits, files, publishing. */
import Link from "next/link";
import { useId } from "react";
import { useTranslations } from "next-intl";
import { AlertTriangle, ArrowLeft, Check, CloudOff, Download, Keyboard, Loader2, Redo2, Rocket, Undo2, Upload } from "lucide-react";
import { LanguageSwitch } from "../shell/LanguageSwitch";
import { Button } from "../ui/Button";
import type { SaveStatus } from "./hooks/useAutosave";

const iconButton = "rounded-md p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:opacity-30 disabled:hover:bg-transparent";

function SaveIndicator({ status, onRetry }: { status: SaveStatus; onRetry: () => void }) {
  const t = useTranslations("editor.save");
  const look: Record<SaveStatus, { icon: typeof Check; className: string }> = {
    saved: { icon: Check, className: "text-emerald-700" },
    pending: { icon: Loader2, className: "text-slate-500" },
    saving: { icon: Loader2, className: "text-slate-500" },
    incomplete: { icon: AlertTriangle, className: "text-amber-700" },
    conflict: { icon: AlertTriangle, className: "text-red-700" },
    error: { icon: CloudOff, className: "text-red-700" },
  };
  const { icon: Icon, className } = look[status];
  return (
    <span role="status" className={`flex items-center gap-1.5 text-xs font-medium whitespace-nowrap ${className}`} title={t(`${status}Hint`)}>
      <Icon aria-hidden className={`h-3.5 w-3.5 ${status === "saving" ? "animate-spin" : ""}`} />
      {t(status)}
      {status === "error" ? (
        <button type="button" onClick={onRetry} className="underline">
          {t("retry")}
        </button>
      ) : null}
    </span>
  );
}

export interface TopBarProps {
  name: string;
  saveStatus: SaveStatus;
  onRetrySave: () => void;
  publication: "never" | "published" | "changed";
  latestRevision: number | null;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onImport: () => void;
  onExport: () => void;
  /** Why export is not possible right now, if it is not. */
  exportBlocked?: string;
  onShortcuts: () => void;
  onPublish: () => void;
  publishing: boolean;
  /** Why publishing is not possible right now, if it is not (an error to fix, or simply nothing new). */
  publishBlocked?: { text: string; isError: boolean };
}

export function EditorTopBar(props: TopBarProps) {
  const t = useTranslations("editor.topBar");
  const reasonId = useId();
  const publicationText =
    props.publication === "never"
      ? t("neverPublished")
      : props.publication === "changed"
        ? t("unpublishedChanges", { revision: props.latestRevision ?? 0 })
        : t("published", { revision: props.latestRevision ?? 0 });
  return (
    <header className="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-3">
      <Link href="/flows" className={`${iconButton} flex items-center gap-1 text-sm`} aria-label={t("back")}>
        <ArrowLeft aria-hidden className="h-4 w-4" />
      </Link>
      <div className="min-w-0">
        <h1 className="truncate text-sm font-semibold text-slate-900">{props.name || t("untitled")}</h1>
        <p className={`text-[11px] ${props.publication === "changed" ? "text-amber-700" : "text-slate-500"}`}>{publicationText}</p>
      </div>
      <SaveIndicator status={props.saveStatus} onRetry={props.onRetrySave} />
      <div className="ml-auto flex items-center gap-0.5">
        <button type="button" className={iconButton} onClick={props.onUndo} disabled={!props.canUndo} aria-label={t("undo")} title={`${t("undo")} (Ctrl+Z)`}>
          <Undo2 aria-hidden className="h-4 w-4" />
        </button>
        <button type="button" className={iconButton} onClick={props.onRedo} disabled={!props.canRedo} aria-label={t("redo")} title={`${t("redo")} (Ctrl+Shift+Z)`}>
          <Redo2 aria-hidden className="h-4 w-4" />
        </button>
        <span aria-hidden className="mx-1 h-5 w-px bg-slate-200" />
        <button type="button" className={iconButton} onClick={props.onImport} aria-label={t("import")} title={t("import")}>
          <Upload aria-hidden className="h-4 w-4" />
        </button>
        <button type="button" className={iconButton} onClick={props.onExport} disabled={Boolean(props.exportBlocked)} aria-label={t("export")} title={props.exportBlocked ?? t("export")}>
          <Download aria-hidden className="h-4 w-4" />
        </button>
        <button type="button" className={iconButton} onClick={props.onShortcuts} aria-label={t("shortcuts")} title={`${t("shortcuts")} (?)`}>
          <Keyboard aria-hidden className="h-4 w-4" />
        </button>
        <span aria-hidden className="mx-1 h-5 w-px bg-slate-200" />
        <LanguageSwitch signedIn />
      </div>
      <div className="flex items-center gap-2">
        {props.publishBlocked ? (
          <span id={reasonId} className={`max-w-48 text-right text-[11px] leading-tight ${props.publishBlocked.isError ? "text-red-700" : "text-slate-500"}`}>
            {props.publishBlocked.text}
          </span>
        ) : null}
        <Button onClick={props.onPublish} disabled={Boolean(props.publishBlocked) || props.publishing} aria-describedby={props.publishBlocked ? reasonId : undefined}>
          <Rocket aria-hidden className="h-4 w-4" />
          {props.publishing ? t("publishing") : t("publish")}
        </Button>
      </div>
    </header>
  );
}
