"use client";
/**
 * The flow editor on a phone: dragging nodes, wiring ports and the inspector
 * need room a 390-pixel screen does not have, so below the `md` breakpoint the
 * flow opens read-only (the draft, pannable and zoomable, starting at its start
 * node at a readable size) with a note saying why.
 */
import { useMemo, useRef, useSyncExternalStore } from "react";
import { useTranslations } from "next-intl";
import { Eye } from "lucide-react";
import { FlowCanvas } from "./canvas/FlowCanvas";
import { ViewerHeader } from "./ViewerHeader";
import { toEditorDocument } from "./editorDocument";
import { useInertOutside } from "../ui/useInertOutside";
import type { LoadedFlow } from "./EditorSession";

/** Tailwind's `md` breakpoint: from this width up the full editor fits. */
const NARROW_SCREEN = "(max-width: 767.98px)";
const NO_ISSUES = new Map();

function subscribeToWidth(onChange: () => void): () => void {
  const query = window.matchMedia(NARROW_SCREEN);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/** Whether the window is narrower than the editor needs; null while unknown (server render, hydration). */
export function useNarrowScreen(): boolean | null {
  return useSyncExternalStore(subscribeToWidth, () => window.matchMedia(NARROW_SCREEN).matches, () => null);
}

export function NarrowScreenView({ flow }: { flow: LoadedFlow }) {
  const t = useTranslations("editor.narrow");
  const rootRef = useRef<HTMLDivElement>(null);
  useInertOutside(rootRef);
  const document = useMemo(() => toEditorDocument(flow.draft), [flow.draft]);
  return (
    <div ref={rootRef} className="flow-editor fixed inset-0 z-40 flex flex-col bg-slate-50">
      <ViewerHeader
        name={flow.draft.name}
        subtitle={
          <>
            <Eye aria-hidden className="h-3 w-3" />
            {t("readOnly")}
          </>
        }
      />
      <p role="note" className="shrink-0 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
        {t("wideScreenNeeded")}
      </p>
      <div className="relative min-h-0 flex-1">
        <FlowCanvas document={document} issues={NO_ISSUES} initialView="start" />
      </div>
    </div>
  );
}
