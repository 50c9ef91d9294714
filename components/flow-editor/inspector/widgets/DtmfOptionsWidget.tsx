"use client";
/** A phone keypad: pressed keys are the menu's options, each an output on the canvas. */
import { useTranslations } from "next-intl";
import { DTMF_KEYS } from "@/flows/model/fields";
import type { WidgetProps } from "./types";

export function DtmfOptionsWidget({ value, onChange }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const chosen = Array.isArray(value) ? (value as string[]) : [];
  const toggle = (key: string) =>
    onChange(chosen.includes(key) ? chosen.filter((item) => item !== key) : DTMF_KEYS.filter((item) => item === key || chosen.includes(item)));
  return (
    <div className="grid w-40 grid-cols-3 gap-1.5">
      {DTMF_KEYS.map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={chosen.includes(key)}
          aria-label={t("key", { key })}
          onClick={() => toggle(key)}
          className={`h-9 rounded-md text-sm font-semibold ring-1 ${chosen.includes(key) ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
        >
          {key}
        </button>
      ))}
    </div>
  );
}
