"use client";
/**
 * One editing session of one flow: the working document with undo, autosave,
 * live validation, and the panels around the canvas. Reloading the flow
 * (after a conflict or a rollback) starts a new session.
 */
import { useMemo, useRef, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Eye, LayoutGrid, Maximize } from "lucide-react";
import type { FlowDocument, Locale } from "@/flows/model/types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { FlowCanvas } from "./canvas/FlowCanvas";
import { ChoiceDialog } from "./ChoiceDialog";
import type { Highlight } from "./canvas/canvasElements";
import { setPortTarget } from "./connections";
import { setFlowSettings, setNodeConfig, setNodeLabel } from "./documentEdits";
import { type EditorDocument, parseEditorDocument, toEditorDocument } from "./editorDocument";
import { EditorTopBar } from "./EditorTopBar";
import { FlowFileInput, ImportErrorsDialog } from "./FileDialogs";
import { useAutosave } from "./hooks/useAutosave";
import { useEditorCommands } from "./hooks/useEditorCommands";
import { useEditorState } from "./hooks/useEditorState";
import { useFlowValidation } from "./hooks/useFlowValidation";
import { useInertOutside } from "./hooks/useInertOutside";
import { useKeyboardShortcuts } from "./hooks/useKeyboardShortcuts";
import { usePublishing } from "./hooks/usePublishing";
import { useRevisionView } from "./hooks/useRevisionView";
import { useTestCall } from "./hooks/useTestCall";
import { FlowSettingsForm } from "./inspector/FlowSettingsForm";
import { Inspector } from "./inspector/Inspector";
import type { PickerOptions } from "./issues";
import { Palette } from "./Palette";
import { HistoryPanel } from "./panels/HistoryPanel";
import { ProblemsPanel } from "./panels/ProblemsPanel";
import { TestCallPanel } from "./panels/TestCallPanel";
import { ShortcutsDialog } from "./ShortcutsDialog";
import { type SideTab, SidePanel } from "./SidePanel";
import { downloadText, exportFileName, exportText, readFlowFile } from "./transfer";

const NO_OPTIONS: PickerOptions = { extensions: [], queues: [], flows: [], outboundApis: [] };

export interface LoadedFlow {
  id: string;
  draftVersion: number;
  latestRevision: number | null;
  draft: FlowDocument;
}

export function EditorSession({ flow, onReload }: { flow: LoadedFlow; onReload: () => void }) {
  const t = useTranslations("editor");
  const locale = useLocale() as Locale;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const editor = useEditorState(toEditorDocument(flow.draft));
  const { document, selection } = editor;
  const parsed = useMemo(() => parseEditorDocument(document), [document]);
  const options = useQuery(trpc.flows.pickerOptions.queryOptions()).data ?? NO_OPTIONS;
  const validation = useFlowValidation(document, flow.id, options);
  const autosave = useAutosave({ flowId: flow.id, document, parsed, initialVersion: flow.draftVersion });
  const publishing = usePublishing({ flowId: flow.id, initialRevision: flow.latestRevision, parsed, saveNow: autosave.saveNow });
  const rootRef = useRef<HTMLDivElement>(null);
  useInertOutside(rootRef);
  const canvasRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const commands = useEditorCommands(editor, canvasRef);
  const testCall = useTestCall();
  const rollback = useMutation(trpc.flows.rollback.mutationOptions());

  const [tab, setTab] = useState<SideTab>("properties");
  const [viewing, setViewing] = useState<number | null>(null);
  const revisionView = useRevisionView(flow.id, viewing);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [importErrors, setImportErrors] = useState<{ path: string; message: string }[] | null>(null);
  const [importing, setImporting] = useState<EditorDocument | null>(null);
  const [rollingBack, setRollingBack] = useState<number | null>(null);
  const [notice, setNotice] = useState<{ text: string; isError: boolean } | null>(null);

  const errorCount = validation.result.errors.length;
  const publishBlocked =
    autosave.status === "conflict"
      ? { text: t("publish.blockedConflict"), isError: true }
      : errorCount > 0
        ? { text: t("publish.blockedErrors", { count: errorCount }), isError: true }
        : publishing.latestRevision !== null && !publishing.unpublishedChanges
          ? { text: t("publish.upToDate"), isError: false }
          : undefined;

  async function publish() {
    setNotice(null);
    const outcome = await publishing.publish();
    if (outcome.ok) setNotice({ text: t("publish.done", { revision: outcome.revision }), isError: false });
    else setNotice({ text: outcome.message ? t("publish.refused", { reason: outcome.message }) : t("publish.notSaved"), isError: true });
  }

  function importText(text: string) {
    const result = readFlowFile(text);
    if (result.ok) setImporting(toEditorDocument(result.document));
    else setImportErrors(result.errors);
  }

  function exportFlow() {
    if (parsed.ok) downloadText(exportFileName(document.name), exportText(parsed.document));
  }

  async function confirmRollback() {
    if (rollingBack === null) return;
    try {
      await rollback.mutateAsync({ id: flow.id, revision: rollingBack });
      void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
      onReload();
    } catch {
      setNotice({ text: t("history.rollbackFailed"), isError: true });
      setRollingBack(null);
    }
  }

  const { saveNow } = autosave;
  const shortcutHandlers = useMemo(
    () => ({
      undo: editor.undo,
      redo: editor.redo,
      copy: () => void commands.copy(),
      cut: () => void commands.cut(),
      paste: () => void commands.paste(),
      duplicate: commands.duplicate,
      selectAll: commands.selectAll,
      save: () => void saveNow(),
      fitView: commands.fitView,
      layout: () => void commands.layout(),
      help: () => setShortcutsOpen(true),
    }),
    [editor.undo, editor.redo, commands, saveNow],
  );
  useKeyboardShortcuts(shortcutHandlers, viewing === null);

  const testHighlights = useMemo(() => {
    const state = testCall.state;
    if (!state) return undefined;
    const highlights = new Map<string, Highlight>(state.trace.map((step) => [step.node_id, "visited"]));
    if (state.currentNodeId && !state.ended) highlights.set(state.currentNodeId, "active");
    return highlights;
  }, [testCall.state]);

  const selectedNode = selection.nodes.size === 1 ? document.nodes.find((node) => selection.nodes.has(node.id)) : undefined;
  const showNode = (id: string) => {
    setViewing(null);
    setTab("properties");
    commands.showNode(id);
  };

  const properties = selectedNode ? (
    <Inspector
      key={selectedNode.id}
      document={document}
      node={selectedNode}
      flowId={flow.id}
      locale={locale}
      options={options}
      issues={validation.byNode.get(selectedNode.id)}
      onConfigChange={(config, field) => editor.apply((current) => setNodeConfig(current, selectedNode.id, config), { mergeKey: `config:${selectedNode.id}:${field}` })}
      onLabelChange={(label) => editor.apply((current) => setNodeLabel(current, selectedNode.id, label), { mergeKey: `label:${selectedNode.id}` })}
      onConnect={(port, target) => editor.apply((current) => setPortTarget(current, selectedNode.id, port, target))}
      onDuplicate={commands.duplicate}
      onDelete={commands.remove}
    />
  ) : selection.nodes.size > 1 ? (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">{t("selection.many", { count: selection.nodes.size })}</p>
      <div className="flex gap-2">
        <Button variant="secondary" onClick={commands.duplicate}>
          {t("selection.duplicate")}
        </Button>
        <Button variant="danger" onClick={commands.remove}>
          {t("selection.delete")}
        </Button>
      </div>
    </div>
  ) : (
    <FlowSettingsForm document={document} onChange={(settings, field) => editor.apply((current) => setFlowSettings(current, settings), { mergeKey: `settings:${field}` })} />
  );

  return (
    <div ref={rootRef} className="flow-editor fixed inset-0 z-40 flex flex-col bg-slate-50">
      <EditorTopBar
        name={document.name}
        saveStatus={autosave.status}
        onRetrySave={() => void autosave.saveNow()}
        publication={publishing.latestRevision === null ? "never" : publishing.unpublishedChanges ? "changed" : "published"}
        latestRevision={publishing.latestRevision}
        canUndo={editor.canUndo}
        canRedo={editor.canRedo}
        onUndo={editor.undo}
        onRedo={editor.redo}
        onImport={() => fileInput.current?.click()}
        onExport={exportFlow}
        exportBlocked={parsed.ok ? undefined : t("topBar.exportBlocked")}
        onShortcuts={() => setShortcutsOpen(true)}
        onPublish={() => void publish()}
        publishing={publishing.publishing}
        publishBlocked={publishBlocked}
      />
      <FlowFileInput ref={fileInput} onText={importText} />
      {autosave.status === "conflict" ? (
        <div role="alert" className="flex items-center gap-3 border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          <span className="flex-1">{t("conflict.text")}</span>
          <Button variant="secondary" onClick={onReload}>
            {t("conflict.reload")}
          </Button>
          <Button variant="danger" onClick={() => void autosave.overwrite()}>
            {t("conflict.overwrite")}
          </Button>
        </div>
      ) : null}
      {notice ? (
        <div role={notice.isError ? "alert" : "status"} className={`flex items-center gap-3 border-b px-4 py-2 text-sm ${notice.isError ? "border-red-200 bg-red-50 text-red-800" : "border-emerald-200 bg-emerald-50 text-emerald-800"}`}>
          <span className="flex-1">{notice.text}</span>
          <button type="button" className="text-xs underline" onClick={() => setNotice(null)}>
            {t("notice.dismiss")}
          </button>
        </div>
      ) : null}
      <div className="flex min-h-0 flex-1">
        {viewing === null ? <Palette onAdd={(type) => { setTab("properties"); commands.addAtCentre(type); }} /> : null}
        <div ref={canvasRef} className="relative min-w-0 flex-1">
          {viewing !== null ? (
            <div className="absolute inset-x-0 top-0 z-10 flex items-center gap-3 border-b border-brand-100 bg-brand-50 px-4 py-2 text-sm text-brand-700">
              <Eye aria-hidden className="h-4 w-4" />
              <span className="flex-1">
                {revisionView
                  ? viewing > 1
                    ? t("history.viewing", {
                        revision: viewing,
                        added: revisionView.diff.added.size,
                        changed: revisionView.diff.changed.size,
                        removed: revisionView.diff.removed.size,
                      })
                    : t("history.viewingFirst")
                  : t("history.loading")}
              </span>
              <Button variant="secondary" onClick={() => setViewing(null)}>
                {t("history.backToDraft")}
              </Button>
            </div>
          ) : (
            <div className="absolute top-3 left-3 z-10 flex gap-1 rounded-lg bg-white p-1 shadow-sm ring-1 ring-slate-200">
              <button type="button" onClick={() => void commands.layout()} className="flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100" title="Shift+L">
                <LayoutGrid aria-hidden className="h-3.5 w-3.5" />
                {t("canvas.autoLayout")}
              </button>
              <button type="button" onClick={commands.fitView} className="flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100" title="F">
                <Maximize aria-hidden className="h-3.5 w-3.5" />
                {t("canvas.fit")}
              </button>
            </div>
          )}
          {viewing !== null && revisionView ? (
            <FlowCanvas
              key={`revision-${viewing}`}
              document={revisionView.document}
              issues={new Map()}
              highlights={revisionView.highlights}
              addedEdges={revisionView.addedEdges}
              removedEdges={revisionView.removedEdges}
            />
          ) : viewing === null ? (
            <FlowCanvas key="draft" document={document} issues={validation.byNode} editor={editor} onAddNode={(type, position) => { setTab("properties"); commands.add(type, position); }} highlights={testHighlights} />
          ) : null}
        </div>
        <SidePanel tab={tab} onTab={setTab} errorCount={errorCount} warningCount={validation.result.warnings.length}>
          {tab === "properties" ? properties : null}
          {tab === "problems" ? <ProblemsPanel result={validation.result} document={document} locale={locale} onShowNode={showNode} /> : null}
          {tab === "history" ? <HistoryPanel flowId={flow.id} viewing={viewing} onView={setViewing} onRollback={setRollingBack} /> : null}
          {tab === "test" ? <TestCallPanel flowId={flow.id} session={testCall} onShowNode={showNode} /> : null}
        </SidePanel>
      </div>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
      <ImportErrorsDialog errors={importErrors} onClose={() => setImportErrors(null)} />
      <ChoiceDialog
        open={importing !== null}
        title={t("import.confirmTitle")}
        confirmLabel={t("import.replace")}
        onClose={() => setImporting(null)}
        onConfirm={() => {
          const next = importing;
          setImporting(null);
          if (next) editor.apply(() => next, { select: { nodes: new Set(), edges: new Set() } });
          requestAnimationFrame(commands.fitView);
        }}
      >
        {t("import.confirmText", { name: importing?.name ?? "", count: importing?.nodes.length ?? 0 })}
      </ChoiceDialog>
      <ChoiceDialog
        open={rollingBack !== null}
        title={t("history.rollbackTitle", { revision: rollingBack ?? 0 })}
        confirmLabel={t("history.rollback")}
        pending={rollback.isPending}
        onConfirm={() => void confirmRollback()}
        onClose={() => setRollingBack(null)}
      >
        {t("history.rollbackText", { revision: rollingBack ?? 0 })}
      </ChoiceDialog>
    </div>
  );
}
