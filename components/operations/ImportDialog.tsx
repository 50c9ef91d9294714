"use client";
import { useState, type ChangeEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation } from "@tanstack/react-query";
import { formatPhone } from "@/lib/phone";
import type { ImportResult } from "@/server/services/phonebook";
import { useTRPC } from "../trpc";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";
import { FormError } from "../directory/bits";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";

/** Mirrors the server's cap (importLimits.maxChars) so a huge file is refused before it is uploaded. */
const maxFileBytes = 2 * 1024 * 1024;

/** Excel in a Hungarian locale may save CSV as Windows-1250; UTF-8 that does not decode cleanly is read that way. */
async function readCsvText(file: File): Promise<string> {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1250").decode(bytes);
  }
}

/** CSV import in two steps: a preview that shows what would happen (and every bad row), then the import of the good rows. */
export function ImportDialog({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const t = useTranslations("operations.phonebook.import");
  return (
    <Modal open={open} title={t("title")} onClose={onClose}>
      {open ? <ImportSteps onClose={onClose} onImported={onImported} /> : null}
    </Modal>
  );
}

function ImportSteps({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const t = useTranslations("operations.phonebook.import");
  const tCommon = useTranslations("common");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const preview = useMutation(trpc.phonebook.previewImport.mutationOptions());
  const run = useMutation(trpc.phonebook.import.mutationOptions({ onSuccess: onImported }));
  const [csv, setCsv] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCsv(null);
    preview.reset();
    run.reset();
    setFileError(undefined);
    if (!file) return;
    if (file.size > maxFileBytes) return setFileError(t("tooLarge"));
    const text = await readCsvText(file);
    setCsv(text);
    preview.mutate({ csv: text });
  }

  const serverError = preview.error ?? run.error;
  const result: ImportResult | undefined = run.data ?? preview.data;
  const done = Boolean(run.data);
  const good = result ? result.created + result.updated : 0;

  return (
    <div className="space-y-4">
      {!done ? (
        <div className="space-y-1">
          <label htmlFor="import-file" className="block text-sm font-medium text-slate-700">
            {t("file")}
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            onChange={onFile}
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium hover:file:bg-slate-200"
          />
          <p className="text-xs text-slate-500">{t("fileHint")}</p>
        </div>
      ) : null}
      <FormError message={fileError ?? (serverError ? errorText(fieldErrorsFromServer(serverError)._form) : undefined)} />
      {preview.isPending ? <p className="text-sm text-slate-500">{tCommon("loading")}</p> : null}
      {result ? (
        <>
          <p role="status" className={`rounded-md px-3 py-2 text-sm ${done ? "bg-emerald-50 text-emerald-800" : "bg-slate-50 text-slate-700"}`}>
            {t(done ? "resultDone" : "resultPreview", { created: result.created, updated: result.updated, failed: result.failed })}
          </p>
          {result.ignoredColumns.length > 0 ? <p className="text-xs text-slate-500">{t("ignoredColumns", { columns: result.ignoredColumns.join(", ") })}</p> : null}
          <RowTable result={result} />
        </>
      ) : null}
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onClose}>
          {done ? tCommon("close") : tCommon("cancel")}
        </Button>
        {!done ? (
          <Button disabled={!csv || !preview.data || good === 0 || run.isPending} onClick={() => csv && run.mutate({ csv })}>
            {t("importButton", { count: good })}
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** Bad rows first (with every problem), then the good ones; long files are cut to the first rows. */
function RowTable({ result }: { result: ImportResult }) {
  const t = useTranslations("operations.phonebook.import");
  const tContact = useTranslations("operations.phonebook");
  const errorText = useErrorText();
  // The row's field in the words of the contact form ("Number 2", "E-mail address").
  const fieldLabel = (field: string) => {
    const number = /^numbers\.(\d+)/.exec(field);
    if (number) return tContact("numberLabel", { index: Number(number[1]) + 1 });
    const labels: Record<string, string> = {
      first_name: tContact("firstName"),
      last_name: tContact("lastName"),
      company: tContact("company"),
      email: tContact("email"),
      external_id: tContact("externalId"),
      notes: tContact("notes"),
    };
    return labels[field] ?? field;
  };
  const rows = [...result.rows.filter((r) => r.action === "error"), ...result.rows.filter((r) => r.action !== "error")].slice(0, 200);
  if (rows.length === 0) return null;
  return (
    <div className="max-h-72 overflow-auto rounded-md ring-1 ring-slate-200">
      <table className="min-w-full text-sm">
        <thead className="sticky top-0 bg-slate-50">
          <tr>
            <th scope="col" className="px-3 py-2 text-left font-medium text-slate-600">
              {t("line")}
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium text-slate-600">
              {t("contact")}
            </th>
            <th scope="col" className="px-3 py-2 text-left font-medium text-slate-600">
              {t("outcome")}
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.line} className={row.action === "error" ? "bg-red-50/50" : undefined}>
              <td className="px-3 py-2 font-mono text-xs text-slate-500">{row.line}</td>
              <td className="px-3 py-2">
                <div className="font-medium text-slate-800">{row.name || "—"}</div>
                <div className="text-xs text-slate-500">{row.numbers.map((n) => (n.startsWith("+") ? formatPhone(n) : n)).join(", ")}</div>
              </td>
              <td className="px-3 py-2">
                {row.action === "error" ? (
                  <ul className="space-y-0.5 text-red-700">
                    {row.errors.map((e, i) => (
                      <li key={i}>
                        {e.field ? <span className="font-medium">{fieldLabel(e.field)}: </span> : null}
                        {errorText(e.messageKey)}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-emerald-700">{t(row.action === "create" ? "willCreate" : "willUpdate")}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
