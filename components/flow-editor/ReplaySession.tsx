"use client";
/**
 * A past call replayed on the revision it ran (`/flows/{id}?replay={callId}`):
 * the revision read-only, the path so far highlighted, step controls and the
 * list of steps. Nothing here can change the flow: the editing session is not
 * even mounted until the admin goes back to the draft.
 */
import { useCallback, useEffect, useRef } from "react";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useReactFlow } from "@xyflow/react";
import { ChevronFirst, ChevronLast, ChevronLeft, ChevronRight, History, Pause, Play } from "lucide-react";
import type { Locale } from "@/flows/model/types";
import { isNodeType } from "@/flows/model/nodeTypes";
import { looseDefinition } from "@/flows/nodes/definitions";
import { Button } from "../ui/Button";
import { FlowCanvas } from "./canvas/FlowCanvas";
import { ViewerHeader } from "./ViewerHeader";
import { type EditorDocument, displayLabel, portsOf } from "./editorDocument";
import { type ReplayControls, type ReplayProblem, useReplay } from "./hooks/useReplay";
import { useInertOutside } from "../ui/useInertOutside";
import type { LoadedFlow } from "./EditorSession";
import type { ReplayStep } from "./replay";

const NO_ISSUES = new Map();
const DEFAULT_NODE_SIZE = { width: 240, height: 80 };
const controlButton = "rounded-md p-1.5 text-slate-700 hover:bg-slate-100 disabled:opacity-30 disabled:hover:bg-transparent";

/** Keys that step through the replay, unless the admin is typing somewhere. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function timeText(iso: string, locale: string, withDate: boolean): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "—";
  return withDate ? date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "medium" }) : date.toLocaleTimeString(locale);
}

export function ReplaySession({ flow, callId, onExit }: { flow: LoadedFlow; callId: string; onExit: () => void }) {
  const t = useTranslations("editor.replay");
  const locale = useLocale() as Locale;
  const rootRef = useRef<HTMLDivElement>(null);
  useInertOutside(rootRef);
  const replay = useReplay(flow.id, callId, flow.draft);
  const { state } = replay;
  const reactFlow = useReactFlow();

  const centre = useCallback(
    (nodeId: string) => {
      const node = reactFlow.getNode(nodeId);
      if (!node) return;
      const size = node.measured ?? DEFAULT_NODE_SIZE;
      void reactFlow.setCenter(node.position.x + (size.width ?? 0) / 2, node.position.y + (size.height ?? 0) / 2, { zoom: Math.max(reactFlow.getZoom(), 0.8), duration: 300 });
    },
    [reactFlow],
  );

  // Stepping keeps the current node in view: the canvas pans (at the same zoom) when it would be hidden.
  const canvasBox = useRef<HTMLDivElement>(null);
  const clicked = useRef(false);
  const currentNodeId = state.status === "ready" ? state.frame.currentNodeId : null;
  const currentIndex = state.status === "ready" ? state.frame.index : -1;
  const firstShown = useRef(true);
  useEffect(() => {
    if (currentIndex < 0) return;
    // The first step is shown with the whole flow in view (the canvas fits it once measured).
    if (firstShown.current) {
      firstShown.current = false;
      return;
    }
    if (clicked.current) {
      // A click in the step list centres the node itself.
      clicked.current = false;
      return;
    }
    const node = currentNodeId ? reactFlow.getNode(currentNodeId) : undefined;
    const box = canvasBox.current?.getBoundingClientRect();
    if (!node || !box) return;
    const { x, y, zoom } = reactFlow.getViewport();
    const size = node.measured ?? DEFAULT_NODE_SIZE;
    const left = node.position.x * zoom + x;
    const top = node.position.y * zoom + y;
    const right = left + (size.width ?? 0) * zoom;
    const bottom = top + (size.height ?? 0) * zoom;
    // Room for the banner above and the controls below.
    const hidden = left < 16 || right > box.width - 16 || top < 64 || bottom > box.height - 72;
    if (hidden) void reactFlow.setCenter(node.position.x + (size.width ?? 0) / 2, node.position.y + (size.height ?? 0) / 2, { zoom, duration: 300 });
  }, [currentIndex, currentNodeId, reactFlow]);
  const showStep = useCallback(
    (nodeId: string, changesStep: boolean) => {
      clicked.current = changesStep;
      centre(nodeId);
    },
    [centre],
  );

  const { previous, next, first, last } = replay;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      const action = { ArrowLeft: previous, ArrowRight: next, Home: first, End: last }[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [previous, next, first, last]);

  return (
    <div ref={rootRef} className="flow-editor fixed inset-0 z-40 flex flex-col bg-slate-50">
      <ViewerHeader name={flow.draft.name} subtitle={t("title")} />
      {state.status === "ready" ? (
        <div className="flex min-h-0 flex-1">
          <div ref={canvasBox} className="relative min-w-0 flex-1">
            <ReplayBanner replay={replay} onExit={onExit} />
            <FlowCanvas
              key={`replay-${callId}`}
              document={state.document}
              issues={NO_ISSUES}
              highlights={state.frame.nodes}
              takenEdges={state.frame.edges}
              currentEdge={state.frame.currentEdge}
            />
            <StepControls replay={replay} />
          </div>
          <StepList replay={replay} document={state.document} locale={locale} onCentre={showStep} />
        </div>
      ) : (
        <div className="flex flex-1 items-start justify-center p-8">
          {state.status === "loading" ? (
            <p className="text-sm text-slate-500">{t("loading")}</p>
          ) : (
            <ProblemNotice problem={state.problem} otherFlowId={state.call?.flow_id ?? null} revision={state.call?.revision ?? null} callId={callId} onExit={onExit} />
          )}
        </div>
      )}
    </div>
  );
}

function ReplayBanner({ replay, onExit }: { replay: ReplayControls; onExit: () => void }) {
  const t = useTranslations("editor.replay");
  const locale = useLocale();
  if (replay.state.status !== "ready") return null;
  const { call, onDraft } = replay.state;
  const time = timeText(call.started_at, locale, true);
  const who = call.caller_number
    ? t("callFrom", { caller: call.caller_number, called: call.called_number ?? "—", time })
    : t("callAt", { time });
  return (
    <div role="region" aria-label={t("bannerLabel")} className="absolute inset-x-0 top-0 z-10 flex items-center gap-3 border-b border-brand-100 bg-brand-50 px-4 py-2 text-sm text-brand-700">
      <History aria-hidden className="h-4 w-4 shrink-0" />
      <p className="flex-1">
        <span className="font-medium">{who}</span>
        {", "}
        {onDraft ? t("onDraft") : t("onRevision", { revision: call.revision ?? 0 })}
        {" · "}
        {t.has(`outcomes.${call.outcome}`) ? t(`outcomes.${call.outcome}`) : call.outcome}
      </p>
      <Button variant="secondary" onClick={onExit}>
        {t("backToDraft")}
      </Button>
    </div>
  );
}

function StepControls({ replay }: { replay: ReplayControls }) {
  const t = useTranslations("editor.replay");
  if (replay.state.status !== "ready") return null;
  const { frame, steps } = replay.state;
  const atStart = frame.index <= 0;
  const atEnd = frame.index >= steps.length - 1;
  return (
    <div
      role="toolbar"
      aria-label={t("controls")}
      className="absolute bottom-4 left-1/2 z-10 flex -translate-x-1/2 items-center gap-1 rounded-lg bg-white p-1 shadow-md ring-1 ring-slate-200"
    >
      <button type="button" className={controlButton} onClick={replay.first} disabled={atStart} aria-label={t("first")} title={`${t("first")} (Home)`}>
        <ChevronFirst aria-hidden className="h-4 w-4" />
      </button>
      <button type="button" className={controlButton} onClick={replay.previous} disabled={atStart} aria-label={t("previous")} title={`${t("previous")} (←)`}>
        <ChevronLeft aria-hidden className="h-4 w-4" />
      </button>
      <button
        type="button"
        className="flex items-center gap-1.5 rounded-md bg-brand-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-brand-700"
        onClick={replay.togglePlay}
        aria-pressed={replay.playing}
      >
        {replay.playing ? <Pause aria-hidden className="h-3.5 w-3.5" /> : <Play aria-hidden className="h-3.5 w-3.5" />}
        {replay.playing ? t("pause") : t("play")}
      </button>
      <button type="button" className={controlButton} onClick={replay.next} disabled={atEnd} aria-label={t("next")} title={`${t("next")} (→)`}>
        <ChevronRight aria-hidden className="h-4 w-4" />
      </button>
      <button type="button" className={controlButton} onClick={replay.last} disabled={atEnd} aria-label={t("last")} title={`${t("last")} (End)`}>
        <ChevronLast aria-hidden className="h-4 w-4" />
      </button>
      <span role="status" className="px-2 text-xs whitespace-nowrap text-slate-600 tabular-nums">
        {t("position", { current: frame.index + 1, total: steps.length })}
      </span>
    </div>
  );
}

function StepList({ replay, document, locale, onCentre }: { replay: ReplayControls; document: EditorDocument; locale: Locale; onCentre: (nodeId: string, changesStep: boolean) => void }) {
  const t = useTranslations("editor.replay");
  const listRef = useRef<HTMLOListElement>(null);
  const current = replay.state.status === "ready" ? replay.state.frame.index : -1;
  // The current step stays in view while stepping or playing.
  useEffect(() => {
    listRef.current?.querySelector('[aria-current="step"]')?.scrollIntoView({ block: "nearest" });
  }, [current]);
  if (replay.state.status !== "ready") return null;
  const { steps } = replay.state;
  return (
    <aside aria-labelledby="replay-steps-title" className="flex h-full w-[21rem] shrink-0 flex-col border-l border-slate-200 bg-white">
      <div className="border-b border-slate-200 px-4 py-2.5">
        <h2 id="replay-steps-title" className="text-xs font-semibold text-slate-700">
          {t("stepsTitle")}
        </h2>
        <p className="text-[11px] text-slate-500">{t("keyboardHint")}</p>
      </div>
      <ol ref={listRef} className="flex-1 space-y-1 overflow-y-auto p-2">
        {steps.map((item) => (
          <StepItem
            key={item.index}
            item={item}
            document={document}
            locale={locale}
            current={item.index === current}
            onSelect={() => {
              replay.go(item.index);
              if (item.place === "canvas") onCentre(item.step.node_id, item.index !== current);
            }}
          />
        ))}
      </ol>
    </aside>
  );
}

function StepItem({ item, document, locale, current, onSelect }: { item: ReplayStep; document: EditorDocument; locale: Locale; current: boolean; onSelect: () => void }) {
  const t = useTranslations("editor.replay");
  const { step } = item;
  const node = item.place === "canvas" ? document.nodes.find((candidate) => candidate.id === step.node_id) : undefined;
  const typeLabel = isNodeType(step.type) ? looseDefinition(step.type).label[locale] : step.type || "?";
  const label = node ? displayLabel(node, locale) : step.node_id || "?";
  const portLabel = step.branch && node ? (portsOf(node).find((port) => port.id === step.branch)?.label[locale] ?? step.branch) : step.branch;
  const hasData = Object.keys(step.input).length > 0 || Object.keys(step.output).length > 0;
  return (
    <li aria-current={current ? "step" : undefined} data-step={item.index} className={`rounded-md ring-1 ${current ? "bg-brand-50 ring-brand-500" : "ring-slate-200"}`}>
      <button type="button" onClick={onSelect} className="w-full rounded-md px-3 py-2 text-left hover:bg-slate-50/60">
        <span className="flex items-baseline justify-between gap-2">
          <span className="min-w-0 truncate text-sm font-medium text-slate-900">
            {item.index + 1}. {label}
            {label === typeLabel ? null : <span className="ml-1 text-xs font-normal text-slate-500">({typeLabel})</span>}
          </span>
          <time dateTime={step.at || undefined} className="shrink-0 text-xs text-slate-500 tabular-nums">
            {timeText(step.at, locale, false)}
          </time>
        </span>
        <span className="mt-0.5 block text-xs text-slate-600">
          {portLabel ? t("branch", { branch: portLabel }) : t("noBranch")} · {t("duration", { seconds: Math.round(step.duration_ms / 100) / 10 })}
        </span>
        {item.place !== "canvas" ? (
          <span className="mt-1 inline-block rounded-full bg-amber-100 px-1.5 py-0.5 text-[11px] font-medium text-amber-800">
            {item.place === "missing" ? t("missing", { node: step.node_id || "?" }) : t("otherFlow")}
          </span>
        ) : null}
        {step.error ? <span className="mt-1 block text-xs text-red-700">{step.error}</span> : null}
      </button>
      {hasData ? (
        <details className="px-3 pb-2 text-xs">
          <summary className="cursor-pointer text-slate-500 hover:text-slate-800">{t("data")}</summary>
          <DataBlock title={t("input")} value={step.input} />
          <DataBlock title={t("output")} value={step.output} />
        </details>
      ) : null}
    </li>
  );
}

function DataBlock({ title, value }: { title: string; value: Record<string, unknown> }) {
  if (Object.keys(value).length === 0) return null;
  return (
    <div className="mt-1">
      <div className="font-medium text-slate-600">{title}</div>
      <pre className="mt-0.5 max-h-40 overflow-auto rounded bg-slate-50 p-1.5 font-mono text-[11px] whitespace-pre-wrap break-all text-slate-700">{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

function ProblemNotice({ problem, otherFlowId, revision, callId, onExit }: { problem: ReplayProblem; otherFlowId: string | null; revision: number | null; callId: string; onExit: () => void }) {
  const t = useTranslations("editor.replay");
  return (
    <div role="alert" className="max-w-lg rounded-lg bg-white p-5 text-sm shadow-sm ring-1 ring-slate-200">
      <p className="text-red-700">{t(`problems.${problem}`, { revision: revision ?? 0 })}</p>
      <div className="mt-4 flex flex-wrap gap-2">
        {problem === "otherFlow" && otherFlowId ? (
          <Link href={`/flows/${encodeURIComponent(otherFlowId)}?replay=${encodeURIComponent(callId)}`} className="inline-flex items-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
            {t("openOtherFlow")}
          </Link>
        ) : null}
        <Button variant="secondary" onClick={onExit}>
          {t("backToDraft")}
        </Button>
      </div>
    </div>
  );
}
