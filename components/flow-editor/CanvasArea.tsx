"use client";
/**
 * The middle of the editor: the editable canvas with its toolbar, or a
 * published revision (read-only, changes highlighted) with a banner saying so.
 */
import type { RefObject } from "react";
import { useTranslations } from "next-intl";
import { Eye, LayoutGrid, Maximize } from "lucide-react";
import type { NodeType, Position } from "@/flows/model/types";
import { Button } from "../ui/Button";
import { FlowCanvas } from "./canvas/FlowCanvas";
import type { Highlight } from "./canvas/canvasElements";
import type { EditorCommands } from "./hooks/useEditorCommands";
import type { EditorState } from "./hooks/useEditorState";
import type { RevisionView } from "./hooks/useRevisionView";
import type { NodeIssues } from "./issues";

const toolButton = "flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100";
const NO_ISSUES: ReadonlyMap<string, NodeIssues> = new Map();

export function CanvasArea({
  canvasRef,
  editor,
  commands,
  issues,
  testHighlights,
  onAddNode,
  fitRequest,
  viewing,
  revisionView,
  onLeaveRevision,
}: {
  canvasRef: RefObject<HTMLDivElement | null>;
  editor: EditorState;
  commands: EditorCommands;
  issues: ReadonlyMap<string, NodeIssues>;
  testHighlights?: ReadonlyMap<string, Highlight>;
  onAddNode: (type: NodeType, position: Position) => void;
  fitRequest: number;
  /** The revision being looked at, or null while editing the draft. */
  viewing: number | null;
  revisionView: RevisionView | null;
  onLeaveRevision: () => void;
}) {
  const t = useTranslations("editor");
  if (viewing !== null) {
    const summary = !revisionView
      ? t("history.loading")
      : viewing === 1
        ? t("history.viewingFirst")
        : t("history.viewing", {
            revision: viewing,
            added: revisionView.diff.added.size,
            changed: revisionView.diff.changed.size,
            removed: revisionView.diff.removed.size,
          });
    return (
      <div ref={canvasRef} className="relative min-w-0 flex-1">
        <div className="absolute inset-x-0 top-0 z-10 flex items-center gap-3 border-b border-brand-100 bg-brand-50 px-4 py-2 text-sm text-brand-700">
          <Eye aria-hidden className="h-4 w-4" />
          <span className="flex-1">{summary}</span>
          <Button variant="secondary" onClick={onLeaveRevision}>
            {t("history.backToDraft")}
          </Button>
        </div>
        {revisionView ? (
          <FlowCanvas
            key={`revision-${viewing}`}
            document={revisionView.document}
            issues={NO_ISSUES}
            highlights={revisionView.highlights}
            addedEdges={revisionView.addedEdges}
            removedEdges={revisionView.removedEdges}
          />
        ) : null}
      </div>
    );
  }
  return (
    <div ref={canvasRef} className="relative min-w-0 flex-1">
      <div className="absolute top-3 left-3 z-10 flex gap-1 rounded-lg bg-white p-1 shadow-sm ring-1 ring-slate-200">
        <button type="button" onClick={() => void commands.layout()} className={toolButton} title="Shift+L">
          <LayoutGrid aria-hidden className="h-3.5 w-3.5" />
          {t("canvas.autoLayout")}
        </button>
        <button type="button" onClick={commands.fitView} className={toolButton} title="F">
          <Maximize aria-hidden className="h-3.5 w-3.5" />
          {t("canvas.fit")}
        </button>
      </div>
      <FlowCanvas key="draft" document={editor.document} issues={issues} editor={editor} onAddNode={onAddNode} highlights={testHighlights} fitRequest={fitRequest} />
    </div>
  );
}
