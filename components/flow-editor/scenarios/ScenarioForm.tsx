"use client";
/**
 * One saved scenario as a form for someone who does not write JSON: the call
 * (who, which number, when), how phones and the CRM behave, the keys the
 * caller presses, and what must happen. Every change is an editor edit, so
 * undo, redo and autosave cover it; field messages come from the schema.
 */
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Plus, X } from "lucide-react";
import type { Locale } from "@/flows/model/types";
import { sameValue } from "@/flows/scenarios/expectations";
import { displayLabel, type EditorDocument } from "../editorDocument";
import { FieldShell, iconButtonClass, inputBaseClass, inputClass, smallButtonClass } from "../inspector/FieldShell";
import type { PickerOptions } from "../issues";
import {
  type FieldMessage,
  type MockedReply,
  type PhoneBehavior,
  type Scenario,
  flowTimeZone,
  formatVariableValue,
  isoToZonedLocal,
  keyNodes,
  lookupApiIds,
  parseVariableValue,
  renameKey,
  scenarioMessages,
  withoutKey,
  zonedLocalToIso,
} from "./scenarioForm";

export type ScenarioPickerOptions = Pick<PickerOptions, "extensions" | "outboundApis"> & { phoneNumbers?: { id: string; label: string; flowId?: string | null }[] };

const BEHAVIORS = ["answer", "busy", "no_answer", "dnd", "offline"] as const;
const DISPOSITIONS = ["answered", "no_answer", "busy", "failed", "cancelled", "voicemail"] as const;
const REPLIES = ["found", "not_found", "timeout", "error"] as const;

const sectionClass = "space-y-2 border-t border-slate-200 pt-3";
const legendClass = "mb-1 text-xs font-semibold tracking-wide text-slate-600 uppercase";
const selectClass = `${inputBaseClass} min-w-0 flex-1 bg-white`;

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function ScenarioForm({
  scenario,
  document,
  locale,
  options,
  lastPath,
  onChange,
}: {
  scenario: Scenario;
  document: EditorDocument;
  locale: Locale;
  options: ScenarioPickerOptions;
  /** The actual path of this scenario's last run, for "use the path of the last run". */
  lastPath: string[] | null;
  /** `field` names what changed, so typing in one field merges into one undo step. */
  onChange: (next: Scenario, field: string) => void;
}) {
  const t = useTranslations("editor.scenarios.form");
  const te = useTranslations("editor.scenarios.errors");
  const td = useTranslations("editor.testCall.dispositions");
  const messages = scenarioMessages(scenario, document);
  const error = (path: string) => {
    const message: FieldMessage | undefined = messages.get(path);
    return message ? te(message.key, message.values ?? {}) : undefined;
  };
  const zone = flowTimeZone(document);
  const nodeName = (id: string) => {
    const node = document.nodes.find((n) => n.id === id);
    return node ? `${displayLabel(node, locale)} (${id})` : id;
  };
  const extensionName = (number: string) => options.extensions.find((e) => e.id === number)?.label ?? number;
  const set = (patch: Partial<Scenario>, field: string) => onChange({ ...scenario, ...patch }, field);
  const setExpect = (patch: Partial<Scenario["expect"]>, field: string) => onChange({ ...scenario, expect: { ...scenario.expect, ...patch } }, `expect.${field}`);

  const phones = scenario.phones ?? {};
  const usedExtensions = new Set(Object.keys(phones));
  const freeExtension = options.extensions.find((e) => !usedExtensions.has(e.id))?.id;
  const setPhone = (extension: string, behavior: PhoneBehavior) => set({ phones: { ...phones, [extension]: behavior } }, `phones.${extension}`);

  const dtmf = scenario.dtmf ?? [];
  const keyNodeList = keyNodes(document);
  const setDtmf = (next: typeof dtmf, field: string) => set({ dtmf: next }, field);

  const lookups = scenario.lookups ?? {};
  const apis = lookupApiIds(document);
  const apiName = (id: string) => options.outboundApis.find((api) => api.id === id)?.label ?? id;
  const setReply = (api: string, reply: MockedReply | null, field: string) =>
    set({ lookups: reply ? { ...lookups, [api]: reply } : withoutKey(lookups, api) }, `lookups.${api}.${field}`);

  const path = scenario.expect.path ?? [];
  const variables = scenario.expect.variables ?? {};

  return (
    <div className="space-y-3">
      <FieldShell label={t("name")} error={error("name")}>
        {({ id, describedBy, invalid }) => (
          <input id={id} value={scenario.name} aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} onChange={(e) => set({ name: e.target.value }, "name")} />
        )}
      </FieldShell>

      <fieldset className={sectionClass}>
        <legend className={legendClass}>{t("callSection")}</legend>
        <div className="grid grid-cols-2 gap-2">
          <FieldShell label={t("caller")} error={error("caller")}>
            {({ id, describedBy, invalid }) => (
              <input id={id} value={scenario.caller} inputMode="tel" aria-describedby={describedBy} aria-invalid={invalid} className={inputClass} onChange={(e) => set({ caller: e.target.value }, "caller")} />
            )}
          </FieldShell>
          <FieldShell label={t("called")} error={error("called_number")}>
            {({ id, describedBy, invalid }) => (
              <>
                <input
                  id={id}
                  value={scenario.called_number}
                  inputMode="tel"
                  list={`${id}-numbers`}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  className={inputClass}
                  onChange={(e) => set({ called_number: e.target.value }, "called_number")}
                />
                <datalist id={`${id}-numbers`}>
                  {(options.phoneNumbers ?? []).map((number) => (
                    <option key={number.id} value={number.id}>
                      {number.label}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </FieldShell>
        </div>
        <FieldShell label={t("at")} help={t("atHelp", { zone })} error={error("at")}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="datetime-local"
              value={isoToZonedLocal(scenario.at, zone)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={inputClass}
              onChange={(e) => set({ at: zonedLocalToIso(e.target.value, zone) }, "at")}
            />
          )}
        </FieldShell>
        <FieldShell label={t("hangsUp")} help={t("hangsUpHelp")} error={error("caller_hangs_up_after_s")}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="number"
              min={1}
              max={3600}
              value={scenario.caller_hangs_up_after_s ?? ""}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              className={`${inputBaseClass} w-28`}
              onChange={(e) => set({ caller_hangs_up_after_s: numberOrUndefined(e.target.value) }, "caller_hangs_up_after_s")}
            />
          )}
        </FieldShell>
      </fieldset>

      <fieldset className={sectionClass}>
        <legend className={legendClass}>{t("phones")}</legend>
        <p className="text-xs text-slate-500">{t("phonesHelp")}</p>
        {Object.entries(phones).map(([extension, behavior]) => (
          <div key={extension} role="group" aria-label={t("phoneGroup", { extension })} className="space-y-1 rounded-md bg-slate-50 p-2">
            <div className="flex items-center gap-1.5">
              <select
                aria-label={t("extension")}
                value={extension}
                className={selectClass}
                onChange={(e) => set({ phones: renameKey(phones, extension, e.target.value) }, `phones.${extension}.extension`)}
              >
                {[extension, ...options.extensions.map((x) => x.id).filter((x) => !usedExtensions.has(x))].map((x) => (
                  <option key={x} value={x}>
                    {extensionName(x)}
                  </option>
                ))}
              </select>
              <button type="button" className={iconButtonClass} aria-label={t("removePhone", { extension })} onClick={() => set({ phones: withoutKey(phones, extension) }, "phones.remove")}>
                <X aria-hidden className="h-4 w-4" />
              </button>
            </div>
            <div className="flex items-center gap-1.5">
              <select
                aria-label={t("behavior")}
                value={behavior.behavior}
                className={selectClass}
                onChange={(e) => setPhone(extension, { ...behavior, behavior: e.target.value as PhoneBehavior["behavior"] })}
              >
                {BEHAVIORS.map((b) => (
                  <option key={b} value={b}>
                    {t(`behaviors.${b}`)}
                  </option>
                ))}
              </select>
              {behavior.behavior === "answer" ? (
                <label className="flex items-center gap-1 text-xs text-slate-600">
                  {t("answerAfter")}
                  <input
                    type="number"
                    min={0}
                    max={300}
                    value={behavior.answer_after_s ?? ""}
                    placeholder="2"
                    aria-invalid={Boolean(error(`phones.${extension}.answer_after_s`))}
                    className={`${inputBaseClass} w-16`}
                    onChange={(e) => setPhone(extension, { ...behavior, answer_after_s: numberOrUndefined(e.target.value) })}
                  />
                </label>
              ) : null}
            </div>
            {error(`phones.${extension}`) || error(`phones.${extension}.answer_after_s`) ? (
              <p className="text-xs text-red-600">{error(`phones.${extension}`) ?? error(`phones.${extension}.answer_after_s`)}</p>
            ) : null}
          </div>
        ))}
        <button type="button" className={smallButtonClass} disabled={!freeExtension} onClick={() => freeExtension && setPhone(freeExtension, { behavior: "answer" })}>
          <Plus aria-hidden className="h-3.5 w-3.5" />
          {t("addPhone")}
        </button>
      </fieldset>

      <fieldset className={sectionClass}>
        <legend className={legendClass}>{t("keys")}</legend>
        <p className="text-xs text-slate-500">{keyNodeList.length > 0 ? t("keysHelp") : t("noKeyNodes")}</p>
        {dtmf.map((step, index) => (
          <div key={index} role="group" aria-label={t("keyGroup", { n: index + 1 })} className="space-y-1">
            <div className="flex items-center gap-1.5">
              <select
                aria-label={t("keyNode")}
                value={step.node_id}
                className={selectClass}
                onChange={(e) => setDtmf(dtmf.map((s, i) => (i === index ? { ...s, node_id: e.target.value } : s)), `dtmf.${index}.node`)}
              >
                {keyNodeList.some((n) => n.id === step.node_id) ? null : <option value={step.node_id}>{step.node_id}</option>}
                {keyNodeList.map((node) => (
                  <option key={node.id} value={node.id}>
                    {nodeName(node.id)}
                  </option>
                ))}
              </select>
              <input
                aria-label={t("digits")}
                value={step.digits}
                inputMode="numeric"
                aria-invalid={Boolean(error(`dtmf.${index}.digits`))}
                className={`${inputBaseClass} w-20 font-mono`}
                onChange={(e) => setDtmf(dtmf.map((s, i) => (i === index ? { ...s, digits: e.target.value } : s)), `dtmf.${index}.digits`)}
              />
              <button type="button" className={iconButtonClass} aria-label={t("removeKey", { n: index + 1 })} onClick={() => setDtmf(dtmf.filter((_, i) => i !== index), "dtmf.remove")}>
                <X aria-hidden className="h-4 w-4" />
              </button>
            </div>
            {error(`dtmf.${index}.node_id`) || error(`dtmf.${index}.digits`) ? (
              <p className="text-xs text-red-600">{error(`dtmf.${index}.node_id`) ?? error(`dtmf.${index}.digits`)}</p>
            ) : null}
          </div>
        ))}
        {keyNodeList.length > 0 ? (
          <button type="button" className={smallButtonClass} onClick={() => setDtmf([...dtmf, { node_id: keyNodeList[0].id, digits: "1" }], "dtmf.add")}>
            <Plus aria-hidden className="h-3.5 w-3.5" />
            {t("addKey")}
          </button>
        ) : null}
      </fieldset>

      {apis.length > 0 ? (
        <fieldset className={sectionClass}>
          <legend className={legendClass}>{t("lookups")}</legend>
          <p className="text-xs text-slate-500">{t("lookupsHelp")}</p>
          {apis.map((api) => {
            const reply = lookups[api];
            return (
              <div key={api} className="space-y-1 rounded-md bg-slate-50 p-2">
                <FieldShell label={t("reply", { api: apiName(api) })}>
                  {({ id }) => (
                    <select
                      id={id}
                      value={reply?.status ?? ""}
                      className={`${inputClass} bg-white`}
                      onChange={(e) => setReply(api, e.target.value ? ({ status: e.target.value } as MockedReply) : null, "status")}
                    >
                      <option value="">{t("replies.unset")}</option>
                      {REPLIES.map((status) => (
                        <option key={status} value={status}>
                          {t(`replies.${status}`)}
                        </option>
                      ))}
                    </select>
                  )}
                </FieldShell>
                {reply?.status === "found" ? (
                  <div className="grid grid-cols-2 gap-2">
                    <FieldShell label={t("lookupExtension")} error={error(`lookups.${api}.extension`)}>
                      {({ id }) => (
                        <select
                          id={id}
                          value={reply.extension ?? ""}
                          className={`${inputClass} bg-white`}
                          onChange={(e) => setReply(api, { ...reply, extension: e.target.value || undefined }, "extension")}
                        >
                          <option value="">{t("none")}</option>
                          {options.extensions.map((x) => (
                            <option key={x.id} value={x.id}>
                              {x.label}
                            </option>
                          ))}
                        </select>
                      )}
                    </FieldShell>
                    <FieldShell label={t("lookupContact")}>
                      {({ id }) => (
                        <input
                          id={id}
                          value={reply.contact?.name ?? ""}
                          className={inputClass}
                          onChange={(e) => setReply(api, { ...reply, contact: e.target.value ? { ...reply.contact, name: e.target.value } : undefined }, "contact")}
                        />
                      )}
                    </FieldShell>
                  </div>
                ) : null}
              </div>
            );
          })}
        </fieldset>
      ) : null}

      <fieldset className={sectionClass}>
        <legend className={legendClass}>{t("expect")}</legend>
        <FieldShell label={t("path")} help={t("pathHelp")} group>
          {() => (
            <>
              {path.length > 0 ? (
                <ol className="space-y-1">
                  {path.map((id, index) => (
                    <li key={index} className="flex items-center gap-1.5 text-xs">
                      <span className="w-5 text-right text-slate-500">{index + 1}.</span>
                      <span className={`flex-1 truncate rounded bg-slate-50 px-1.5 py-1 ${error(`expect.path.${index}`) ? "text-red-700 ring-1 ring-red-300" : "text-slate-800"}`} title={error(`expect.path.${index}`)}>
                        {nodeName(id)}
                      </span>
                      <button
                        type="button"
                        className={iconButtonClass}
                        aria-label={t("removeStep", { n: index + 1 })}
                        onClick={() => setExpect({ path: path.filter((_, i) => i !== index) }, "path")}
                      >
                        <X aria-hidden className="h-3.5 w-3.5" />
                      </button>
                    </li>
                  ))}
                </ol>
              ) : null}
              <select
                aria-label={t("addStep")}
                value=""
                className={`${inputClass} bg-white`}
                onChange={(e) => e.target.value && setExpect({ path: [...path, e.target.value] }, "path")}
              >
                <option value="">{t("addStep")}…</option>
                {document.nodes.map((node) => (
                  <option key={node.id} value={node.id}>
                    {nodeName(node.id)}
                  </option>
                ))}
              </select>
              <div className="flex flex-wrap gap-1.5">
                <button type="button" className={smallButtonClass} disabled={!lastPath || lastPath.length === 0} onClick={() => lastPath && setExpect({ path: lastPath }, "path.capture")}>
                  {t("useLastPath")}
                </button>
                <button type="button" className={smallButtonClass} disabled={path.length === 0} onClick={() => setExpect({ path: [] }, "path.clear")}>
                  {t("clearPath")}
                </button>
              </div>
            </>
          )}
        </FieldShell>
        <div className="grid grid-cols-2 gap-2">
          <FieldShell label={t("disposition")}>
            {({ id }) => (
              <select
                id={id}
                value={scenario.expect.disposition ?? ""}
                className={`${inputClass} bg-white`}
                onChange={(e) => setExpect({ disposition: (e.target.value || undefined) as Scenario["expect"]["disposition"] }, "disposition")}
              >
                <option value="">{t("any")}</option>
                {DISPOSITIONS.map((d) => (
                  <option key={d} value={d}>
                    {td(d)}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
          <FieldShell label={t("answeredBy")} error={error("expect.answered_by")}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                value={scenario.expect.answered_by ?? ""}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                className={`${inputClass} bg-white`}
                onChange={(e) => setExpect({ answered_by: e.target.value || undefined }, "answered_by")}
              >
                <option value="">{t("any")}</option>
                {scenario.expect.answered_by && !options.extensions.some((x) => x.id === scenario.expect.answered_by) ? (
                  <option value={scenario.expect.answered_by}>{scenario.expect.answered_by}</option>
                ) : null}
                {options.extensions.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.label}
                  </option>
                ))}
              </select>
            )}
          </FieldShell>
        </div>
        <FieldShell label={t("variables")} help={t("variablesHelp")} group>
          {() => (
            <>
              {Object.entries(variables).map(([name, value], index) => (
                <VariableRow
                  key={index}
                  name={name}
                  value={value}
                  taken={(candidate) => candidate !== name && candidate in variables}
                  onRename={(next) => setExpect({ variables: renameKey(variables, name, next) }, `variables.${index}.name`)}
                  onValue={(next) => setExpect({ variables: { ...variables, [name]: next } }, `variables.${index}.value`)}
                  onRemove={() => setExpect({ variables: withoutKey(variables, name) }, "variables.remove")}
                />
              ))}
              <button
                type="button"
                className={smallButtonClass}
                onClick={() => {
                  let n = Object.keys(variables).length + 1;
                  while (`variable_${n}` in variables) n++;
                  setExpect({ variables: { ...variables, [`variable_${n}`]: "" } }, "variables.add");
                }}
              >
                <Plus aria-hidden className="h-3.5 w-3.5" />
                {t("addVariable")}
              </button>
            </>
          )}
        </FieldShell>
      </fieldset>
    </div>
  );
}

/** A variable's name is kept locally while it clashes with another one, so typing through a taken name loses nothing. */
function VariableRow({
  name,
  value,
  taken,
  onRename,
  onValue,
  onRemove,
}: {
  name: string;
  value: unknown;
  taken: (candidate: string) => boolean;
  onRename: (name: string) => void;
  onValue: (value: unknown) => void;
  onRemove: () => void;
}) {
  const t = useTranslations("editor.scenarios.form");
  const [draft, setDraft] = useState<string | null>(null);
  const [valueText, setValueText] = useState(() => formatVariableValue(value));
  const shownName = draft ?? name;
  // Undo and redo change the value under the field: then it shows the document's value.
  const shownValue = sameValue(parseVariableValue(valueText), value) ? valueText : formatVariableValue(value);
  const clash = draft !== null && taken(draft);
  const empty = shownName.trim() === "";
  return (
    <div className="space-y-1">
      <div className="flex items-center gap-1.5">
        <input
          aria-label={t("variableName")}
          value={shownName}
          aria-invalid={clash || empty}
          className={`${inputBaseClass} w-32 min-w-0 font-mono`}
          onChange={(e) => {
            const next = e.target.value;
            if (taken(next) || next.trim() === "") return setDraft(next);
            setDraft(null);
            onRename(next);
          }}
        />
        <span className="text-xs text-slate-500">=</span>
        <input
          aria-label={t("variableValue", { name })}
          value={shownValue}
          className={`${inputBaseClass} min-w-0 flex-1`}
          onChange={(e) => {
            setValueText(e.target.value);
            onValue(parseVariableValue(e.target.value));
          }}
        />
        <button type="button" className={iconButtonClass} aria-label={t("removeVariable", { name })} onClick={onRemove}>
          <X aria-hidden className="h-4 w-4" />
        </button>
      </div>
      {clash || empty ? <p className="text-xs text-red-600">{clash ? t("nameTaken") : t("nameRequired")}</p> : null}
    </div>
  );
}
