"use client";
/**
 * The side panel's Scenarios tab: the flow's saved test scenarios, run all
 * or one with a click (the draft is saved first), pass/fail per scenario and
 * per expectation with expected and actual, the actual path (each step shows
 * its node; a failed run's path is drawn on the canvas), and a form to add,
 * duplicate, rename, edit and delete scenarios.
 */
import { useTranslations } from "next-intl";
import { CheckCircle2, ChevronDown, ChevronRight, Circle, Copy, Play, Plus, Route, Trash2, XCircle } from "lucide-react";
import type { Locale } from "@/flows/model/types";
import { type ExpectationCheck, firstDifference } from "@/flows/scenarios/expectations";
import { Button } from "../../ui/Button";
import type { EditorState } from "../hooks/useEditorState";
import type { ScenarioRun, ScenarioRunsSession } from "../hooks/useScenarioRuns";
import { smallButtonClass } from "../inspector/FieldShell";
import { type Scenario, addScenario, duplicateScenario, removeScenario, scenariosOf, updateScenario } from "./scenarioForm";
import { ScenarioForm, type ScenarioPickerOptions } from "./ScenarioForm";

export function ScenariosPanel({
  flowId,
  editor,
  runs,
  options,
  locale,
  onShowNode,
}: {
  flowId: string;
  editor: EditorState;
  runs: ScenarioRunsSession;
  options: ScenarioPickerOptions;
  locale: Locale;
  onShowNode: (nodeId: string) => void;
}) {
  const t = useTranslations("editor.scenarios");
  const { document, apply } = editor;
  const scenarios = scenariosOf(document);
  const busy = runs.running !== null;

  const fresh = [...runs.runs.entries()].filter(([index, run]) => scenarios[index] === run.scenario);
  const passedCount = fresh.filter(([, run]) => run.result.passed).length;

  function add() {
    const numbers = options.phoneNumbers ?? [];
    const called = numbers.find((n) => n.flowId === flowId)?.id ?? numbers[0]?.id ?? "+3612345678";
    apply((current) => addScenario(current, { name: t("newName"), caller: "+36301234567", called_number: called, expect: {} }));
    runs.setOpen(scenarios.length);
  }

  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-500">{t("intro")}</p>
      <div className="flex gap-2">
        <Button className="flex-1 whitespace-nowrap" disabled={busy || scenarios.length === 0} onClick={() => void runs.start(scenarios)}>
          <Play aria-hidden className="h-4 w-4" />
          {runs.running === "all" ? t("running") : t("runAll")}
        </Button>
        <Button variant="secondary" className="whitespace-nowrap" onClick={add}>
          <Plus aria-hidden className="h-4 w-4" />
          {t("add")}
        </Button>
      </div>
      <div role="status" className="text-xs">
        {runs.running !== null ? (
          <span className="text-slate-600">{t("running")}</span>
        ) : fresh.length > 0 ? (
          <span className={passedCount === fresh.length ? "font-medium text-emerald-700" : "font-medium text-red-700"}>{t("summary", { passed: passedCount, total: fresh.length })}</span>
        ) : null}
      </div>
      {runs.problem ? (
        <p role="alert" className="text-xs text-red-700">
          {t(runs.problem)}
        </p>
      ) : null}
      {runs.invalid ? (
        <div role="alert" className="rounded-md bg-red-50 p-2 text-xs text-red-800">
          <p className="font-medium">{t("invalid")}</p>
          <ul className="mt-1 list-disc pl-4">
            {runs.invalid.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {scenarios.length === 0 ? <p className="rounded-md bg-slate-50 p-3 text-xs text-slate-600">{t("empty")}</p> : null}
      <ul aria-label={t("listLabel")} className="space-y-2">
        {scenarios.map((scenario, index) => {
          const run = runs.runs.get(index);
          // A run of another scenario (after deletes, undo…) is not shown; one of this scenario before an edit is, marked.
          const shown = run && (run.scenario === scenario || run.scenario.name === scenario.name) ? run : undefined;
          return (
            <ScenarioCard
              key={index}
              scenario={scenario}
              run={shown}
              stale={shown !== undefined && shown.scenario !== scenario}
              open={runs.open === index}
              running={runs.running === index || runs.running === "all"}
              busy={busy}
              highlighted={runs.highlighted === index}
              locale={locale}
              options={options}
              editor={editor}
              onToggle={() => runs.setOpen(runs.open === index ? null : index)}
              onRun={() => void runs.start(scenarios, index)}
              onHighlight={() => runs.setHighlighted(runs.highlighted === index ? null : index)}
              onShowNode={onShowNode}
              onChange={(next, field) => apply((current) => updateScenario(current, index, () => next), { mergeKey: `scenario:${index}:${field}` })}
              onDuplicate={() => {
                apply((current) => duplicateScenario(current, index, (name) => t("copyName", { name })));
                runs.shift(index + 1, 1);
                runs.setOpen(index + 1);
              }}
              onDelete={() => {
                apply((current) => removeScenario(current, index));
                runs.shift(index, -1);
              }}
            />
          );
        })}
      </ul>
    </div>
  );
}

function ScenarioCard({
  scenario,
  run,
  stale,
  open,
  running,
  busy,
  highlighted,
  locale,
  options,
  editor,
  onToggle,
  onRun,
  onHighlight,
  onShowNode,
  onChange,
  onDuplicate,
  onDelete,
}: {
  scenario: Scenario;
  run: ScenarioRun | undefined;
  stale: boolean;
  open: boolean;
  running: boolean;
  busy: boolean;
  highlighted: boolean;
  locale: Locale;
  options: ScenarioPickerOptions;
  editor: EditorState;
  onToggle: () => void;
  onRun: () => void;
  onHighlight: () => void;
  onShowNode: (nodeId: string) => void;
  onChange: (next: Scenario, field: string) => void;
  onDuplicate: () => void;
  onDelete: () => void;
}) {
  const t = useTranslations("editor.scenarios");
  const name = scenario.name.trim() || t("unnamed");
  const passed = run?.result.passed;
  const StatusIcon = run === undefined ? Circle : passed ? CheckCircle2 : XCircle;
  const statusText = running ? t("running") : run === undefined ? t("notRun") : passed ? t("passed") : t("failedStatus");
  return (
    <li>
      <section aria-label={name} className={`rounded-lg ring-1 ${run && !passed && !stale ? "ring-red-200" : "ring-slate-200"}`}>
        <div className="flex items-center gap-1.5 px-2 py-1.5">
          <StatusIcon aria-hidden className={`h-4 w-4 shrink-0 ${run === undefined ? "text-slate-300" : passed ? "text-emerald-600" : "text-red-600"}`} />
          <button type="button" aria-expanded={open} onClick={onToggle} className="flex min-w-0 flex-1 items-center gap-1 text-left text-sm font-medium text-slate-800 hover:text-brand-700">
            {open ? <ChevronDown aria-hidden className="h-3.5 w-3.5 shrink-0" /> : <ChevronRight aria-hidden className="h-3.5 w-3.5 shrink-0" />}
            <span className="truncate">{name}</span>
          </button>
          <span className={`shrink-0 text-[11px] ${run === undefined ? "text-slate-500" : passed ? "text-emerald-700" : "text-red-700"}`}>{statusText}</span>
          <button type="button" className={smallButtonClass} disabled={busy} aria-label={t("runNamed", { name })} onClick={onRun}>
            <Play aria-hidden className="h-3 w-3" />
            {t("run")}
          </button>
        </div>
        {run ? <RunResult run={run} stale={stale} highlighted={highlighted} onHighlight={onHighlight} onShowNode={onShowNode} options={options} name={name} /> : null}
        {open ? (
          <div className="space-y-3 border-t border-slate-200 px-3 pt-3 pb-3">
            <ScenarioForm scenario={scenario} document={editor.document} locale={locale} options={options} lastPath={run?.result.path ?? null} onChange={onChange} />
            <div className="flex gap-2 border-t border-slate-200 pt-3">
              <button type="button" className={smallButtonClass} onClick={onDuplicate}>
                <Copy aria-hidden className="h-3.5 w-3.5" />
                {t("duplicate")}
              </button>
              <button type="button" className={`${smallButtonClass} text-red-700`} onClick={onDelete}>
                <Trash2 aria-hidden className="h-3.5 w-3.5" />
                {t("delete")}
              </button>
            </div>
          </div>
        ) : null}
      </section>
    </li>
  );
}

function RunResult({
  run,
  stale,
  highlighted,
  name,
  options,
  onHighlight,
  onShowNode,
}: {
  run: ScenarioRun;
  stale: boolean;
  highlighted: boolean;
  name: string;
  options: ScenarioPickerOptions;
  onHighlight: () => void;
  onShowNode: (nodeId: string) => void;
}) {
  const t = useTranslations("editor.scenarios.result");
  const td = useTranslations("editor.testCall.dispositions");
  const { result } = run;
  const pathCheck = result.checks.find((check) => check.kind === "path");
  const partAt = pathCheck && !pathCheck.passed ? firstDifference(pathCheck.expected, pathCheck.actual) : -1;
  const extension = (number: string | null) => (number === null ? t("nobody") : (options.extensions.find((e) => e.id === number)?.label ?? number));
  const disposition = (value: string | null) => (value === null ? t("none") : td.has(value) ? td(value) : value);
  const json = (value: unknown) => (value === undefined ? t("unset") : JSON.stringify(value));

  const title = (check: ExpectationCheck) =>
    check.kind === "path" ? t("path") : check.kind === "disposition" ? t("disposition") : check.kind === "answered_by" ? t("answeredBy") : t("variable", { name: check.name });
  const values = (check: ExpectationCheck): [string, string] =>
    check.kind === "disposition"
      ? [disposition(check.expected), disposition(check.actual)]
      : check.kind === "answered_by"
        ? [extension(check.expected), extension(check.actual)]
        : check.kind === "variable"
          ? [json(check.expected), json(check.actual)]
          : ["", ""];

  return (
    <div className="space-y-2 border-t border-slate-100 bg-slate-50/60 px-2.5 py-2 text-xs">
      {stale ? <p className="text-amber-700">{t("stale")}</p> : null}
      {!result.ended ? <p className="text-red-700">{t("notEnded")}</p> : null}
      {result.checks.length === 0 ? <p className="text-slate-500">{t("noChecks")}</p> : null}
      <ul aria-label={t("checks", { name })} className="space-y-1.5">
        {result.checks.map((check, i) => {
          const [expected, actual] = values(check);
          return (
            <li key={i} className="flex gap-1.5">
              {check.passed ? <CheckCircle2 aria-hidden className="mt-px h-3.5 w-3.5 shrink-0 text-emerald-600" /> : <XCircle aria-hidden className="mt-px h-3.5 w-3.5 shrink-0 text-red-600" />}
              <div className="min-w-0 flex-1">
                <span className="font-medium text-slate-800">{title(check)}</span>
                <span className="sr-only">: {check.passed ? t("ok") : t("wrong")}</span>
                {check.kind === "path" ? (
                  check.passed ? null : (
                    <div className="mt-0.5 space-y-0.5">
                      <div>
                        <span className="text-slate-500">{t("expected")}: </span>
                        <PathView ids={check.expected} from={firstDifference(check.expected, check.actual)} onShowNode={onShowNode} />
                      </div>
                    </div>
                  )
                ) : check.passed ? (
                  <span className="text-slate-600">: {actual}</span>
                ) : (
                  <div className="mt-0.5 text-slate-700">
                    <span className="text-slate-500">{t("expected")}:</span> <span className="font-medium">{expected}</span>
                    <span className="text-slate-500"> · </span>
                    <span className="text-slate-500">{t("actual")}:</span> <span className="font-medium text-red-700">{actual}</span>
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      <div>
        <span className="text-slate-500">{t("actualPath")}: </span>
        {result.path.length > 0 ? <PathView ids={result.path} from={partAt} onShowNode={onShowNode} /> : <span>{t("nowhere")}</span>}
      </div>
      {result.path.length > 0 ? (
        <button type="button" aria-pressed={highlighted} className={`${smallButtonClass} ${highlighted ? "bg-brand-50 text-brand-700 ring-brand-300" : ""}`} onClick={onHighlight}>
          <Route aria-hidden className="h-3.5 w-3.5" />
          {t("showOnCanvas")}
        </button>
      ) : null}
    </div>
  );
}

/** Node ids as buttons that show the node; from `from` on (where two paths part) they are marked. */
function PathView({ ids, from, onShowNode }: { ids: readonly string[]; from: number; onShowNode: (nodeId: string) => void }) {
  return (
    <span className="leading-5">
      {ids.map((id, i) => (
        <span key={i}>
          {i > 0 ? <span className="text-slate-500"> → </span> : null}
          <button
            type="button"
            onClick={() => onShowNode(id)}
            className={`rounded px-0.5 font-mono hover:bg-white hover:underline ${from !== -1 && i >= from ? "text-red-700" : "text-slate-800"}`}
          >
            {id}
          </button>
        </span>
      ))}
    </span>
  );
}
