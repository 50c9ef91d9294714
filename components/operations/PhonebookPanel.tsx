"use client";
import { useDeferredValue, useState } from "react";
import { useTranslations } from "next-intl";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Download, Plus, Search, Upload } from "lucide-react";
import { formatPhone } from "@/lib/phone";
import type { ContactInput } from "@/lib/schemas/operations";
import type { ContactView } from "@/server/services/phonebook";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { Button } from "../ui/Button";
import { ContactDialog, displayName } from "./ContactDialog";
import { ImportDialog } from "./ImportDialog";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";

const pageSize = 50;

/** The shared phonebook: everyone searches and exports; admins add, edit, delete and import. */
export function PhonebookPanel({ isAdmin }: { isAdmin: boolean }) {
  const t = useTranslations("operations.phonebook");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [offset, setOffset] = useState(0);
  const contacts = useQuery({ ...trpc.phonebook.list.queryOptions({ search: deferredSearch, limit: pageSize, offset }), placeholderData: keepPreviousData });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.phonebook.list.pathKey() });
  const create = useMutation(trpc.phonebook.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.phonebook.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.phonebook.delete.mutationOptions({ onSuccess: invalidate }));

  const [editing, setEditing] = useState<ContactView | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<ContactView | null>(null);
  const [importOpen, setImportOpen] = useState(false);

  const save = (input: ContactInput) => (editing ? update.mutateAsync({ id: editing.id, version: editing.version, data: input }) : create.mutateAsync(input));
  const exportHref = (format: "csv" | "vcf") => `/api/operations/phonebook/export?${new URLSearchParams({ format, search: deferredSearch })}`;
  const total = contacts.data?.total ?? 0;
  // The CRM id column only appears when a contact on the page has one.
  const showExternalId = contacts.data?.items.some((c) => c.external_id) ?? false;

  return (
    <>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="relative w-full max-w-sm">
          <label htmlFor="phonebook-search" className="sr-only">
            {t("searchLabel")}
          </label>
          <Search aria-hidden className="pointer-events-none absolute top-2.5 left-3 h-4 w-4 text-slate-400" />
          <input
            id="phonebook-search"
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
            placeholder={t("searchPlaceholder")}
            className="block w-full rounded-md border-0 py-2 pr-3 pl-9 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-brand-500"
          />
        </div>
        <div className="flex flex-wrap gap-2">
          <a href={exportHref("csv")} className="inline-flex items-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">
            <Download aria-hidden className="h-4 w-4" />
            {t("exportCsv")}
          </a>
          <a href={exportHref("vcf")} className="inline-flex items-center gap-2 rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">
            <Download aria-hidden className="h-4 w-4" />
            {t("exportVcard")}
          </a>
          {isAdmin ? (
            <>
              <Button variant="secondary" onClick={() => setImportOpen(true)}>
                <Upload aria-hidden className="h-4 w-4" />
                {t("importCsv")}
              </Button>
              <Button
                onClick={() => {
                  setEditing(null);
                  setFormOpen(true);
                }}
              >
                <Plus aria-hidden className="h-4 w-4" />
                {t("add")}
              </Button>
            </>
          ) : null}
        </div>
      </div>
      <DataTable
        rows={contacts.data?.items}
        rowName={displayName}
        empty={deferredSearch ? t("noMatch") : t("empty")}
        onEdit={
          isAdmin
            ? (row) => {
                setEditing(row);
                setFormOpen(true);
              }
            : undefined
        }
        onDelete={
          isAdmin
            ? (row) => {
                remove.reset();
                setDeleting(row);
              }
            : undefined
        }
        columns={[
          {
            header: t("name"),
            cell: (row) => (
              <div>
                <div className="font-medium whitespace-nowrap text-slate-900">{`${row.first_name} ${row.last_name}`.trim() || "—"}</div>
                {row.notes ? <div className="line-clamp-1 max-w-xs text-xs text-slate-500">{row.notes}</div> : null}
              </div>
            ),
          },
          { header: t("company"), cell: (row) => row.company || <span className="text-slate-500">—</span> },
          {
            header: t("numbers"),
            cell: (row) => (
              <ul className="space-y-0.5">
                {row.numbers.map((n) => (
                  <li key={n.number} className="whitespace-nowrap">
                    <span className="mr-2 inline-block w-20 text-xs text-slate-500">{t(`numberType.${n.type}`)}</span>
                    <a href={`tel:${n.number}`} className="font-mono whitespace-nowrap text-slate-800 hover:text-brand-700">
                      {formatPhone(n.number)}
                    </a>
                  </li>
                ))}
              </ul>
            ),
          },
          { header: t("email"), cell: (row) => (row.email ? <a href={`mailto:${row.email}`} className="hover:text-brand-700">{row.email}</a> : <span className="text-slate-500">—</span>) },
          ...(showExternalId ? [{ header: t("externalIdShort"), cell: (row: ContactView) => <span className="font-mono text-xs text-slate-500">{row.external_id ?? ""}</span> }] : []),
        ]}
      />
      {total > pageSize ? (
        <nav aria-label={t("pages")} className="mt-3 flex items-center justify-between text-sm text-slate-600">
          <span>{t("showing", { from: offset + 1, to: Math.min(offset + pageSize, total), total })}</span>
          <div className="flex gap-2">
            <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>
              {t("previous")}
            </Button>
            <Button variant="secondary" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)}>
              {t("next")}
            </Button>
          </div>
        </nav>
      ) : contacts.data ? (
        <p className="mt-3 text-sm text-slate-500">{t("count", { total })}</p>
      ) : null}
      <ContactDialog open={formOpen} contact={editing} onClose={() => setFormOpen(false)} onSave={save} />
      <ImportDialog open={importOpen} onClose={() => setImportOpen(false)} onImported={invalidate} />
      <ConfirmDialog
        open={deleting !== null}
        title={t("deleteTitle", { name: deleting ? displayName(deleting) : "" })}
        text={t("deleteText")}
        error={remove.error ? errorText(fieldErrorsFromServer(remove.error)._form) : undefined}
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id, version: deleting.version }, { onSuccess: () => setDeleting(null) })}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
