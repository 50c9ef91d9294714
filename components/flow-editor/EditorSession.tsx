"use client";
/**
 * One editing session of one flow: the working document with undo, autosave,
 * live validation, and the panels around the canvas. Reloading the flow
 * (after a conflict or a rollback) starts a new session.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FlowDocument, Locale } from "@/flows/model/types";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { ChoiceDialog } from "./ChoiceDialog";
import { CanvasArea } from "./CanvasArea";
import type { Highlight } from "./canvas/canvasElements";
import { type EditorDocument, parseEditorDocument, toEditorDocument } from "./editorDocument";
import { EditorTopBar } from "./EditorTopBar";
import { FlowFileInput, ImportErrorsDialog } from "./FileDialogs";
import { useAutosave } from "./hooks/useAutosave";
import { useEditorCommands } from "./hooks/useEditorCommands";
import { useEditorState } from "./hooks/useEditorState";
import { useFlowValidation } from "./hooks/useFlowValidation";
import { useInertOutside } from "../ui/useInertOutside";
import { useKeyboardShortcuts } from "./hooks/useKeyboardShortcuts";
import { usePublishing } from "./hooks/usePublishing";
import { useRevisionView } from "./hooks/useRevisionView";
import { useTestCall } from "./hooks/useTestCall";
import { useScenarioRuns } from "./hooks/useScenarioRuns";
import { ScenariosPanel } from "./scenarios/ScenariosPanel";
import { type FinishedTestCall, addScenario, scenarioFromTestCall } from "./scenarios/scenarioForm";
import type { PickerOptions } from "./issues";
import { Palette } from "./Palette";
import { PropertiesPanel } from "./PropertiesPanel";
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
  const editor = useEditorState(() => toEditorDocument(flow.draft));
  const { document } = editor;
  const parsed = useMemo(() => parseEditorDocument(document), [document]);
  const pickerOptions = useQuery(trpc.flows.pickerOptions.queryOptions()).data;
  const options = pickerOptions ?? NO_OPTIONS;
  // Until the lists arrive, references are not checked (rather than all reported missing).
  const validation = useFlowValidation(document, flow.id, pickerOptions);
  const autosave = useAutosave({ flowId: flow.id, document, parsed, initialVersion: flow.draftVersion });
  const publishing = usePublishing({ flowId: flow.id, initialRevision: flow.latestRevision, parsed, saveNow: autosave.saveNow });
  const rootRef = useRef<HTMLDivElement>(null);
  useInertOutside(rootRef);
  const canvasRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [fitRequest, setFitRequest] = useState(0);
  const requestFit = useCallback(() => setFitRequest((n) => n + 1), []);
  const commands = useEditorCommands(editor, canvasRef, requestFit);
  const testCall = useTestCall(flow.id, autosave.saveNow);
  const scenarioRuns = useScenarioRuns(flow.id, autosave.saveNow);
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
      delete: commands.remove,
      save: () => void saveNow(),
      fitView: commands.fitView,
      layout: () => void commands.layout(),
      help: () => setShortcutsOpen(true),
    }),
    [editor.undo, editor.redo, commands, saveNow],
  );
  useKeyboardShortcuts(shortcutHandlers, viewing === null);

  const scenarioPath = scenarioRuns.highlighted === null ? undefined : scenarioRuns.runs.get(scenarioRuns.highlighted)?.result.path;
  const testHighlights = useMemo(() => {
    // The Scenarios tab draws the actual path of the run it highlights.
    if (tab === "scenarios") return scenarioPath ? new Map<string, Highlight>(scenarioPath.map((id) => [id, "visited"])) : undefined;
    const state = testCall.state;
    if (!state || tab !== "test") return undefined;
    const highlights = new Map<string, Highlight>(state.trace.map((step) => [step.node_id, "visited"]));
    if (state.currentNodeId && !state.ended) highlights.set(state.currentNodeId, "active");
    return highlights;
  }, [testCall.state, tab, scenarioPath]);

  // The revision view belongs to the History tab: leaving the tab goes back to the draft.
  const changeTab = (next: SideTab) => {
    setTab(next);
    if (next !== "history") setViewing(null);
  };
  const saveTestCallAsScenario = (call: FinishedTestCall) => {
    editor.apply((current) => addScenario(current, scenarioFromTestCall(call, t("testCall.scenarioName", { caller: call.caller.trim() }))));
    scenarioRuns.setOpen(document.test_scenarios?.length ?? 0);
    changeTab("scenarios");
  };
  const showProblem = (id: string) => {
    changeTab("properties");
    commands.showNode(id);
  };

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
        {viewing === null ? (
          <Palette
            onAdd={(type) => {
              changeTab("properties");
              commands.addAtCentre(type);
            }}
          />
        ) : null}
        <CanvasArea
          canvasRef={canvasRef}
          editor={editor}
          commands={commands}
          issues={validation.byNode}
          testHighlights={testHighlights}
          onAddNode={(type, position) => {
            changeTab("properties");
            commands.add(type, position);
          }}
          fitRequest={fitRequest}
          viewing={viewing}
          revisionView={revisionView}
          onLeaveRevision={() => setViewing(null)}
        />
        <SidePanel tab={tab} onTab={changeTab} errorCount={errorCount} warningCount={validation.result.warnings.length}>
          {tab === "properties" ? <PropertiesPanel editor={editor} commands={commands} validation={validation} flowId={flow.id} locale={locale} options={options} /> : null}
          {tab === "problems" ? <ProblemsPanel result={validation.result} document={document} locale={locale} onShowNode={showProblem} /> : null}
          {tab === "history" ? <HistoryPanel flowId={flow.id} viewing={viewing} onView={setViewing} onRollback={setRollingBack} /> : null}
          {tab === "test" ? <TestCallPanel session={testCall} onShowNode={commands.showNode} onSaveAsScenario={saveTestCallAsScenario} /> : null}
          {tab === "scenarios" ? (
            <ScenariosPanel flowId={flow.id} editor={editor} runs={scenarioRuns} options={pickerOptions ?? NO_OPTIONS} locale={locale} onShowNode={commands.showNode} />
          ) : null}
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
          requestFit();
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
