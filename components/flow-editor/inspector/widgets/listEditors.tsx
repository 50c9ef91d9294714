"use client";
/** Row editors: set_variables assignments (name = value) and condition rules (output name + condition). */
import { useTranslations } from "next-intl";
import { ArrowUp, Plus, X } from "lucide-react";
import { uniqueId } from "../../editorDocument";
import { iconButtonClass, inputClass, smallButtonClass } from "../FieldShell";
import { TemplateInput } from "../TemplateInput";
import type { WidgetProps } from "./types";

function rowsOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function swapWithPrevious<T>(rows: T[], index: number): T[] {
  return rows.map((row, i) => (i === index - 1 ? rows[index] : i === index ? rows[index - 1] : row));
}

interface Assignment {
  name: string;
  value: string | number | boolean | null;
}

export function AssignmentsWidget({ value, onChange }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const rows = rowsOf<Assignment>(value);
  const update = (index: number, change: Partial<Assignment>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const names = new Set(rows.map((row) => row.name));
  return (
    <div className="space-y-2">
      {rows.map((row, index) => (
        <div key={index} className="space-y-1 rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
          <div className="flex items-center gap-1">
            <input
              value={row.name}
              onChange={(event) => update(index, { name: event.target.value })}
              aria-label={t("variableName", { n: index + 1 })}
              placeholder={t("variableNamePlaceholder")}
              className={`${inputClass} font-mono`}
            />
            <button type="button" className={iconButtonClass} aria-label={t("remove", { item: row.name || index + 1 })} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              <X aria-hidden className="h-4 w-4" />
            </button>
          </div>
          <TemplateInput
            ids={{}}
            ariaLabel={t("variableValue", { n: index + 1 })}
            placeholder={t("variableValuePlaceholder")}
            value={row.value === null ? "" : String(row.value)}
            onChange={(text) => update(index, { value: text })}
          />
        </div>
      ))}
      <button type="button" className={smallButtonClass} onClick={() => onChange([...rows, { name: uniqueId("variable", names), value: "" }])}>
        <Plus aria-hidden className="h-3.5 w-3.5" />
        {t("addVariable")}
      </button>
    </div>
  );
}

interface Rule {
  id: string;
  when: string;
}

export function ConditionRulesWidget({ value, onChange }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const rows = rowsOf<Rule>(value);
  const update = (index: number, change: Partial<Rule>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const ids = new Set(rows.map((row) => row.id));
  return (
    <div className="space-y-2">
      {rows.map((row, index) => (
        <div key={index} className="space-y-1 rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
          <div className="flex items-center gap-1">
            <span className="w-5 shrink-0 text-center text-xs font-semibold text-slate-500">{index + 1}.</span>
            <input
              value={row.id}
              onChange={(event) => update(index, { id: event.target.value })}
              aria-label={t("ruleOutput", { n: index + 1 })}
              className={`${inputClass} font-mono`}
            />
            <button type="button" className={iconButtonClass} disabled={index === 0} aria-label={t("moveUp", { item: row.id })} onClick={() => onChange(swapWithPrevious(rows, index))}>
              <ArrowUp aria-hidden className="h-4 w-4" />
            </button>
            <button type="button" className={iconButtonClass} aria-label={t("remove", { item: row.id })} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
              <X aria-hidden className="h-4 w-4" />
            </button>
          </div>
          <TemplateInput ids={{}} kind="expression" ariaLabel={t("ruleCondition", { n: index + 1 })} placeholder="lookup.found" value={row.when} onChange={(when) => update(index, { when })} />
        </div>
      ))}
      <button type="button" className={smallButtonClass} onClick={() => onChange([...rows, { id: uniqueId(`rule_${rows.length + 1}`, ids), when: "" }])}>
        <Plus aria-hidden className="h-3.5 w-3.5" />
        {t("addRule")}
      </button>
    </div>
  );
}
