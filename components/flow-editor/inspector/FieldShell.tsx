"use client";
/**
 * Label, help and error around an inspector control, wired with ids so
 * screen readers (and the browser tests) find each control by its label.
 * Compound widgets (schedule, keys, rules…) become a fieldset with a legend.
 */
import { type ReactNode, useId } from "react";

/** A text control without a width, for short inputs (numbers, times). */
export const inputBaseClass =
  "block rounded-md border-0 px-2.5 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-brand-500 aria-[invalid=true]:ring-red-500";

export const inputClass = `${inputBaseClass} w-full`;

export const smallButtonClass =
  "inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-40";

export const iconButtonClass = "rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800 disabled:opacity-30";

export interface ControlIds {
  id: string;
  describedBy?: string;
  invalid: boolean;
}

export function FieldShell({
  label,
  help,
  error,
  group = false,
  inline = false,
  children,
}: {
  label: string;
  help?: string;
  error?: string;
  group?: boolean;
  /** A checkbox: control first, label beside it. */
  inline?: boolean;
  children: (ids: ControlIds) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, help ? `${id}-help` : null].filter(Boolean).join(" ") || undefined;
  const ids = { id, describedBy, invalid: Boolean(error) };
  const footer = (
    <>
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-600">
          {error}
        </p>
      ) : null}
      {help ? (
        <p id={`${id}-help`} className="text-xs text-slate-500">
          {help}
        </p>
      ) : null}
    </>
  );
  if (group) {
    return (
      <fieldset className="space-y-1.5" aria-describedby={describedBy}>
        <legend className="mb-1.5 text-xs font-medium text-slate-700">{label}</legend>
        {children(ids)}
        {footer}
      </fieldset>
    );
  }
  const labelElement = (
    <label htmlFor={id} className="block text-xs font-medium text-slate-700">
      {label}
    </label>
  );
  return (
    <div className="space-y-1">
      {inline ? (
        <div className="flex items-center gap-2">
          {children(ids)}
          {labelElement}
        </div>
      ) : (
        <>
          {labelElement}
          {children(ids)}
        </>
      )}
      {footer}
    </div>
  );
}
