"use client";
/** Weekly opening hours: rows of days with a from–to time range. */
import { useTranslations } from "next-intl";
import { Plus, Trash2 } from "lucide-react";
import { WEEKDAYS, type Weekday } from "@/flows/time/wallClock";
import { iconButtonClass, inputBaseClass, smallButtonClass } from "../FieldShell";
import type { WidgetProps } from "./types";

interface Range {
  days: Weekday[];
  from: string;
  to: string;
}

// A time input cannot show 24:00; 00:00 as an end time means the same (the range runs to midnight).
const shownTime = (time: string) => (time === "24:00" ? "00:00" : time);

export function ScheduleWidget({ value, onChange }: WidgetProps) {
  const t = useTranslations("editor.schedule");
  const ranges = Array.isArray(value) ? (value as Range[]) : [];
  const update = (index: number, change: Partial<Range>) => onChange(ranges.map((range, i) => (i === index ? { ...range, ...change } : range)));
  const toggleDay = (index: number, day: Weekday) => {
    const days = ranges[index].days;
    update(index, { days: days.includes(day) ? days.filter((item) => item !== day) : WEEKDAYS.filter((item) => item === day || days.includes(item)) });
  };
  return (
    <div className="space-y-2">
      {ranges.length === 0 ? <p className="text-xs text-amber-700">{t("alwaysClosed")}</p> : null}
      {ranges.map((range, index) => (
        <div key={index} role="group" aria-label={t("range", { n: index + 1 })} className="space-y-2 rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
          <div className="flex flex-wrap gap-1">
            {WEEKDAYS.map((day) => (
              <button
                key={day}
                type="button"
                aria-pressed={range.days.includes(day)}
                aria-label={t(`days.${day}`)}
                title={t(`days.${day}`)}
                onClick={() => toggleDay(index, day)}
                className={`h-7 w-8 rounded text-xs font-medium ring-1 ${range.days.includes(day) ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-600 ring-slate-300 hover:bg-slate-100"}`}
              >
                {t(`short.${day}`)}
              </button>
            ))}
          </div>
          <div className="flex items-center gap-1.5">
            <input type="time" aria-label={t("from")} value={shownTime(range.from)} onChange={(event) => update(index, { from: event.target.value })} className={`${inputBaseClass} min-w-0 flex-1`} />
            <span className="text-slate-500">–</span>
            <input type="time" aria-label={t("to")} value={shownTime(range.to)} onChange={(event) => update(index, { to: event.target.value })} className={`${inputBaseClass} min-w-0 flex-1`} />
            <button type="button" className={`${iconButtonClass} ml-auto`} aria-label={t("removeRange", { n: index + 1 })} onClick={() => onChange(ranges.filter((_, i) => i !== index))}>
              <Trash2 aria-hidden className="h-4 w-4" />
            </button>
          </div>
        </div>
      ))}
      <button type="button" className={smallButtonClass} onClick={() => onChange([...ranges, { days: ["sat"], from: "09:00", to: "13:00" }])}>
        <Plus aria-hidden className="h-3.5 w-3.5" />
        {t("addRange")}
      </button>
    </div>
  );
}
