"use client";
/**
 * Placing a test call against the draft: caller and called number (and an
 * optional moment, for opening hours), then the call as it runs — what the
 * caller hears, which phones ring, a keypad for menu choices, and the trace
 * (each step can be shown on the canvas).
 */
import { type FormEvent, useId, useState } from "react";
import { useTranslations } from "next-intl";
import { ListChecks, PhoneCall, PhoneOff } from "lucide-react";
import { DTMF_KEYS } from "@/flows/model/fields";
import { Button } from "../../ui/Button";
import { inputClass, smallButtonClass } from "../inspector/FieldShell";
import type { TestCallSession } from "../hooks/useTestCall";
import { usePromptSound } from "../hooks/usePromptSound";
import { AudioPreviewButton } from "../inspector/widgets/AudioPromptPicker";
import type { FinishedTestCall } from "../scenarios/scenarioForm";

export function TestCallPanel({
  session,
  onShowNode,
  onSaveAsScenario,
}: {
  session: TestCallSession;
  onShowNode: (nodeId: string) => void;
  /** Keeps the ended call as a saved scenario expecting what happened. */
  onSaveAsScenario?: (call: FinishedTestCall) => void;
}) {
  const t = useTranslations("editor.testCall");
  const ids = useId();
  const [caller, setCaller] = useState("+36301234567");
  const [called, setCalled] = useState("+3612345678");
  const [at, setAt] = useState("");
  /** What the call was started with, and the keys pressed at each node: a saved scenario replays them. */
  const [placed, setPlaced] = useState<{ caller: string; called: string; at?: string } | null>(null);
  const [pressed, setPressed] = useState<{ node_id: string; digits: string }[]>([]);
  const { state } = session;
  const sound = usePromptSound(state);
  const label = (group: "statuses" | "dispositions" | "phoneStates", value: string) => (t.has(`${group}.${value}`) ? t(`${group}.${value}`) : value);

  function start(event: FormEvent) {
    event.preventDefault();
    const moment = at ? new Date(at).toISOString() : undefined;
    setPlaced({ caller, called, ...(moment ? { at: moment } : {}) });
    setPressed([]);
    void session.start({ callerNumber: caller, calledNumber: called, ...(moment ? { at: moment } : {}) });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={start} className="space-y-2">
        <p className="text-xs text-slate-500">{t("intro")}</p>
        <label htmlFor={`${ids}-caller`} className="block text-xs font-medium text-slate-700">
          {t("caller")}
        </label>
        <input id={`${ids}-caller`} value={caller} onChange={(event) => setCaller(event.target.value)} className={inputClass} />
        <label htmlFor={`${ids}-called`} className="block text-xs font-medium text-slate-700">
          {t("called")}
        </label>
        <input id={`${ids}-called`} value={called} onChange={(event) => setCalled(event.target.value)} className={inputClass} />
        <label htmlFor={`${ids}-at`} className="block text-xs font-medium text-slate-700">
          {t("at")}
        </label>
        <input id={`${ids}-at`} type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} className={inputClass} />
        <Button type="submit" disabled={session.starting || (state !== null && !state.ended)} className="w-full">
          <PhoneCall aria-hidden className="h-4 w-4" />
          {t("start")}
        </Button>
        <label className="flex items-start gap-2 text-xs text-slate-700">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={sound.speakPrompts}
            disabled={!sound.speechAvailable}
            aria-describedby={sound.speechAvailable ? undefined : `${ids}-speech-hint`}
            onChange={(event) => sound.setSpeakPrompts(event.target.checked)}
          />
          <span>
            {t("speakPrompts")}
            {sound.speechAvailable ? null : (
              <span id={`${ids}-speech-hint`} className="block text-slate-500">
                {t("speechUnavailable")}
              </span>
            )}
          </span>
        </label>
        {session.problem ? (
          <p role="alert" className="text-xs text-red-700">
            {t(session.problem)}
          </p>
        ) : null}
      </form>
      {state ? (
        <section aria-label={t("callTitle")} className="space-y-3 border-t border-slate-200 pt-3">
          <div className="flex items-center justify-between">
            <span role="status" className="text-sm font-medium text-slate-800">
              {state.ended ? t("ended", { disposition: label("dispositions", state.disposition ?? "") }) : label("statuses", state.status)}
            </span>
            {state.ended ? null : (
              <button type="button" className={`${smallButtonClass} text-red-700`} onClick={session.hangup}>
                <PhoneOff aria-hidden className="h-3.5 w-3.5" />
                {t("hangup")}
              </button>
            )}
          </div>
          {state.ended && placed && onSaveAsScenario ? (
            <button
              type="button"
              className={smallButtonClass}
              onClick={() => onSaveAsScenario({ ...placed, pressed, path: state.trace.map((step) => step.node_id), disposition: state.disposition })}
            >
              <ListChecks aria-hidden className="h-3.5 w-3.5" />
              {t("saveAsScenario")}
            </button>
          ) : null}
          {state.ended ? null : (
            <div role="group" aria-label={t("keypad")} className="grid w-40 grid-cols-3 gap-1">
              {DTMF_KEYS.map((key) => (
                <button
                  key={key}
                  type="button"
                  className="h-8 rounded bg-white text-sm font-semibold ring-1 ring-slate-300 hover:bg-slate-50"
                  onClick={() => {
                    if (state.currentNodeId) setPressed((keys) => [...keys, { node_id: state.currentNodeId!, digits: key }]);
                    session.dtmf(key);
                  }}
                >
                  {key}
                </button>
              ))}
            </div>
          )}
          {state.phones.length > 0 ? (
            <ul aria-label={t("phones")} className="space-y-1">
              {state.phones.map((phone) => (
                <li key={phone.extension} className="flex items-center justify-between text-xs">
                  <span>{t("phone", { extension: phone.extension, state: label("phoneStates", phone.state) })}</span>
                  {phone.state === "ringing" ? (
                    <button type="button" className={smallButtonClass} onClick={() => session.answer(phone.extension)}>
                      {t("answer")}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
          {state.prompts.length > 0 ? (
            <div>
              <h3 className="mb-1 text-xs font-semibold text-slate-600">{t("heard")}</h3>
              <ul className="space-y-1 rounded-md bg-slate-50 p-2 text-xs text-slate-700">
                {state.prompts.map((prompt, index) => (
                  <li key={index} className="flex items-start justify-between gap-2">
                    <span>
                      “{prompt.text}” <span className="text-slate-500">({prompt.audioId ? t("recording") : prompt.language})</span>
                    </span>
                    {prompt.audioId ? <AudioPreviewButton id={prompt.audioId} name={prompt.text} /> : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div>
            <h3 className="mb-1 text-xs font-semibold text-slate-600">{t("trace")}</h3>
            <ol className="space-y-0.5">
              {state.trace.map((step, index) => (
                <li key={index}>
                  <button type="button" className="w-full rounded px-1.5 py-1 text-left text-xs hover:bg-slate-50" onClick={() => onShowNode(step.node_id)}>
                    <span className="font-mono">{step.node_id}</span>
                    {step.branch ? <span className="text-slate-500"> → {step.branch}</span> : null}
                    {step.error ? <span className="text-red-700"> · {step.error}</span> : null}
                    <span className="text-slate-500"> · {step.duration_ms} ms</span>
                  </button>
                </li>
              ))}
            </ol>
          </div>
        </section>
      ) : null}
    </div>
  );
}
