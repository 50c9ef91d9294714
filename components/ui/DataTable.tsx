"use client";
import type { ReactNode } from "react";
import { useTranslations } from "next-intl";
import { Pencil, Trash2 } from "lucide-react";

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
}

/** The portal's list table: columns, and edit/delete buttons named after the row for screen readers and tests. */
export function DataTable<Row extends { id: string }>({
  rows,
  columns,
  rowName,
  onEdit,
  onDelete,
  empty,
}: {
  rows: Row[] | undefined;
  columns: Column<Row>[];
  rowName: (row: Row) => string;
  onEdit?: (row: Row) => void;
  onDelete?: (row: Row) => void;
  empty: string;
}) {
  const t = useTranslations("common");
  const hasActions = Boolean(onEdit || onDelete);
  return (
    <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50">
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className="px-4 py-3 text-left font-medium text-slate-600">
                {c.header}
              </th>
            ))}
            {hasActions ? (
              <th scope="col" className="px-4 py-3 text-right font-medium text-slate-600">
                <span className="sr-only">{t("actions")}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows === undefined ? (
            <tr>
              <td colSpan={columns.length + 1} className="px-4 py-6 text-left text-slate-500 md:text-center">
                {t("loading")}
              </td>
            </tr>
          ) : rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length + 1} className="px-4 py-6 text-left text-slate-500 md:text-center">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {columns.map((c) => (
                  <td key={c.header} className="px-4 py-3 text-slate-800">
                    {c.cell(row)}
                  </td>
                ))}
                {hasActions ? (
                  <td className="px-4 py-2 text-right whitespace-nowrap">
                    {onEdit ? (
                      <button
                        type="button"
                        onClick={() => onEdit(row)}
                        aria-label={`${t("edit")}: ${rowName(row)}`}
                        className="rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
                      >
                        <Pencil aria-hidden className="h-4 w-4" />
                      </button>
                    ) : null}
                    {onDelete ? (
                      <button
                        type="button"
                        onClick={() => onDelete(row)}
                        aria-label={`${t("delete")}: ${rowName(row)}`}
                        className="rounded-md p-2 text-slate-500 hover:bg-red-50 hover:text-red-600"
                      >
                        <Trash2 aria-hidden className="h-4 w-4" />
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
