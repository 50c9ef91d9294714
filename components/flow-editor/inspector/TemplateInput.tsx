"use client";
/**
 * A text field for Liquid templates or conditions that offers the variables
 * available at this node: typing inside `{{ … }}` (or a word, in a condition)
 * opens the list; arrows choose, Enter or Tab insert, Escape closes. The
 * `{ }` button lists every variable for people who do not know the syntax.
 */
import { type KeyboardEvent, useId, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { Braces } from "lucide-react";
import type { AvailableVariable } from "@/flows/templates/variables";
import { type CompletionRange, type TemplateKind, applyCompletion, completionAt, insertVariable, matchingVariables } from "../autocomplete";
import { type ControlIds, inputClass } from "./FieldShell";
import { useInspector } from "./InspectorContext";

type Menu = { mode: "complete"; range: CompletionRange } | { mode: "browse"; cursor: number };

export function TemplateInput({
  ids,
  value,
  onChange,
  kind = "template",
  multiline = false,
  placeholder,
  ariaLabel,
}: {
  ids: Partial<ControlIds>;
  value: string;
  onChange: (value: string) => void;
  kind?: TemplateKind;
  multiline?: boolean;
  placeholder?: string;
  ariaLabel?: string;
}) {
  const t = useTranslations("editor.inspector");
  const { variables, locale } = useInspector();
  const [menu, setMenu] = useState<Menu | null>(null);
  const [active, setActive] = useState(0);
  const control = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const listId = useId();
  const suggestions = menu === null ? [] : menu.mode === "browse" ? variables : matchingVariables(variables, menu.range.query);
  const open = suggestions.length > 0;

  function placeCursor(cursor: number) {
    requestAnimationFrame(() => {
      control.current?.focus();
      control.current?.setSelectionRange(cursor, cursor);
    });
  }

  function pick(variable: AvailableVariable) {
    if (!menu) return;
    const result =
      menu.mode === "complete" ? applyCompletion(value, menu.range, variable.path, kind) : insertVariable(value, menu.cursor, variable.path, kind);
    onChange(result.text);
    setMenu(null);
    placeCursor(result.cursor);
  }

  function onInput(text: string, cursor: number) {
    onChange(text);
    const range = completionAt(text, cursor, kind);
    setMenu(range ? { mode: "complete", range } : null);
    setActive(0);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (!open) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((current) => (current + step + suggestions.length) % suggestions.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(suggestions[Math.min(active, suggestions.length - 1)]);
    } else if (event.key === "Escape") {
      event.stopPropagation();
      setMenu(null);
    }
  }

  const shared = {
    ref: control,
    id: ids.id,
    value,
    placeholder,
    "aria-label": ariaLabel,
    "aria-describedby": ids.describedBy,
    "aria-invalid": ids.invalid,
    role: "combobox",
    "aria-autocomplete": "list" as const,
    "aria-expanded": open,
    "aria-controls": listId,
    "aria-activedescendant": open ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined,
    spellCheck: kind === "template",
    onKeyDown,
    onBlur: () => setMenu(null),
    className: `${inputClass} pr-8 ${kind === "expression" ? "font-mono text-[13px]" : ""}`,
  };
  return (
    <div className="relative">
      {multiline ? (
        <textarea {...shared} rows={3} onChange={(event) => onInput(event.target.value, event.target.selectionStart)} />
      ) : (
        <input {...shared} type="text" onChange={(event) => onInput(event.target.value, event.target.selectionStart ?? event.target.value.length)} />
      )}
      <button
        type="button"
        title={t("insertVariable")}
        aria-label={t("insertVariable")}
        onMouseDown={(event) => event.preventDefault()}
        onClick={() => {
          setActive(0);
          setMenu(menu?.mode === "browse" ? null : { mode: "browse", cursor: control.current?.selectionStart ?? value.length });
          control.current?.focus();
        }}
        className="absolute top-1.5 right-1.5 rounded p-0.5 text-slate-500 hover:bg-slate-100 hover:text-brand-700"
      >
        <Braces aria-hidden className="h-4 w-4" />
      </button>
      <ul
        id={listId}
        role="listbox"
        aria-label={t("variables")}
        hidden={!open}
        className="absolute z-20 mt-1 max-h-56 w-full overflow-y-auto rounded-md bg-white py-1 text-sm shadow-lg ring-1 ring-slate-200"
      >
        {suggestions.map((variable, index) => (
          <li
            key={variable.path}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => pick(variable)}
            className={`cursor-pointer px-2.5 py-1 ${index === active ? "bg-brand-50" : "hover:bg-slate-50"}`}
          >
            <div className="font-mono text-[12px] text-slate-900">{variable.path}</div>
            <div className="text-[11px] text-slate-500">{variable.description[locale]}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}
