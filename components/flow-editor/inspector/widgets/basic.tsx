"use client";
/** Widgets for single values: text, numbers, switches, choices, language, time zone, country, dates. */
import { useMemo } from "react";
import { useLocale, useTranslations } from "next-intl";
import { Plus, X } from "lucide-react";
import { iconButtonClass, inputBaseClass, inputClass, smallButtonClass } from "../FieldShell";
import type { WidgetProps } from "./types";

export function TextWidget({ value, onChange, ids, field }: WidgetProps) {
  return (
    <input
      id={ids.id}
      type="text"
      value={typeof value === "string" ? value : ""}
      onChange={(event) => onChange(event.target.value === "" && field.optional ? undefined : event.target.value)}
      aria-describedby={ids.describedBy}
      aria-invalid={ids.invalid}
      className={`${inputClass} ${field.meta.widget === "variable" ? "font-mono" : ""}`}
    />
  );
}

export function NumberWidget({ value, onChange, ids, field }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  return (
    <div className="flex items-center gap-2">
      <input
        id={ids.id}
        type="number"
        inputMode="numeric"
        value={typeof value === "number" ? value : ""}
        onChange={(event) => onChange(event.target.value === "" ? undefined : Number(event.target.value))}
        aria-describedby={ids.describedBy}
        aria-invalid={ids.invalid}
        className={`${inputBaseClass} w-28`}
      />
      {field.meta.unit ? <span className="text-xs text-slate-500">{t("seconds")}</span> : null}
    </div>
  );
}

export function BooleanWidget({ value, onChange, ids }: WidgetProps) {
  return (
    <input
      id={ids.id}
      type="checkbox"
      checked={value === true}
      onChange={(event) => onChange(event.target.checked)}
      aria-describedby={ids.describedBy}
      className="h-4 w-4 rounded border-slate-300 text-brand-600"
    />
  );
}

// Message keys cannot be "#" or "".
const CHOICE_KEYS: Record<string, string> = { "#": "hash", "*": "star", "": "none" };

export function SelectWidget({ value, onChange, ids, field }: WidgetProps) {
  const t = useTranslations("editor.choices");
  const label = (choice: string) => {
    const key = `${field.key}.${CHOICE_KEYS[choice] ?? choice}`;
    return t.has(key) ? t(key) : choice;
  };
  return (
    <select id={ids.id} value={String(value ?? field.choices[0] ?? "")} onChange={(event) => onChange(event.target.value)} aria-describedby={ids.describedBy} className={inputClass}>
      {field.choices.map((choice) => (
        <option key={choice} value={choice}>
          {label(choice)}
        </option>
      ))}
    </select>
  );
}

const LANGUAGES = ["hu", "en", "en-GB", "de", "sk", "ro", "hr", "sr", "uk", "pl", "cs"];
const COUNTRIES = ["HU", "AT", "DE", "SK", "RO", "HR", "SI", "RS", "UA", "PL", "CZ", "GB", "IE", "FR", "IT", "ES", "NL", "BE", "US"];

interface NamedChoiceProps {
  value: unknown;
  onChange: (value: string | undefined) => void;
  ids: WidgetProps["ids"];
}

/** A select over `choices`, named in the admin's language, that still shows a value outside the list. */
function NamedChoice({ value, onChange, ids, choices, name, empty }: NamedChoiceProps & { choices: string[]; name: (choice: string) => string; empty?: string }) {
  const current = typeof value === "string" ? value : "";
  const all = current && !choices.includes(current) ? [current, ...choices] : choices;
  return (
    <select id={ids.id} value={current} onChange={(event) => onChange(event.target.value || undefined)} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} className={inputClass}>
      {empty !== undefined ? <option value="">{empty}</option> : null}
      {all.map((choice) => (
        <option key={choice} value={choice}>
          {name(choice)}
        </option>
      ))}
    </select>
  );
}

function useDisplayNames(type: "language" | "region") {
  const locale = useLocale();
  return useMemo(() => {
    const names = new Intl.DisplayNames([locale], { type });
    return (code: string) => {
      try {
        return `${names.of(code) ?? code} (${code})`;
      } catch {
        return code;
      }
    };
  }, [locale, type]);
}

/** `emptyLabel` names what an empty choice means where the select is used. */
export function LanguageSelect({ emptyLabel, ...props }: NamedChoiceProps & { emptyLabel: string }) {
  return <NamedChoice {...props} choices={LANGUAGES} name={useDisplayNames("language")} empty={emptyLabel} />;
}

export function LanguageWidget({ value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  return <LanguageSelect value={value} onChange={onChange} ids={ids} emptyLabel={t("flowLanguage")} />;
}

export function CountryWidget({ value, onChange, ids }: WidgetProps) {
  return <NamedChoice value={value} onChange={onChange} ids={ids} choices={COUNTRIES} name={useDisplayNames("region")} />;
}

export function TimezoneWidget({ value, onChange, ids }: WidgetProps) {
  const zones = useMemo(() => Intl.supportedValuesOf("timeZone"), []);
  return <NamedChoice value={value} onChange={onChange} ids={ids} choices={zones} name={(zone) => zone.replaceAll("_", " ")} />;
}

export function DatesWidget({ value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const dates = Array.isArray(value) ? (value as string[]) : [];
  const set = (index: number, date: string) => onChange(dates.map((item, i) => (i === index ? date : item)));
  return (
    <div className="space-y-1.5">
      {dates.length === 0 ? <p className="text-xs text-slate-500">{t("noDates")}</p> : null}
      {dates.map((date, index) => (
        <div key={index} className="flex items-center gap-1.5">
          <input
            type="date"
            value={date}
            onChange={(event) => set(index, event.target.value)}
            aria-label={t("dateN", { n: index + 1 })}
            aria-describedby={ids.describedBy}
            className={inputClass}
          />
          <button type="button" className={iconButtonClass} aria-label={t("removeDate", { date })} onClick={() => onChange(dates.filter((_, i) => i !== index))}>
            <X aria-hidden className="h-4 w-4" />
          </button>
        </div>
      ))}
      <button type="button" className={smallButtonClass} onClick={() => onChange([...dates, new Date().toISOString().slice(0, 10)])}>
        <Plus aria-hidden className="h-3.5 w-3.5" />
        {t("addDate")}
      </button>
    </div>
  );
}
