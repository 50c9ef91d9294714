"use client";
/** The call flows: open, create (empty or from a template), import a JSON file, duplicate, delete. */
import Link from "next/link";
import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Copy, Plus, Upload } from "lucide-react";
import type { DocumentIssue } from "@/flows/model/types";
import { useTRPC } from "../../trpc";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { DataTable } from "../../ui/DataTable";
import { fieldErrorsFromServer, useErrorText } from "../../ui/formErrors";
import { FlowFileInput, ImportErrorsDialog } from "../FileDialogs";
import { readFlowFile } from "../transfer";
import { NewFlowDialog } from "./NewFlowDialog";

export function FlowList() {
  const t = useTranslations("editor.list");
  const format = useFormatter();
  const errorText = useErrorText();
  const router = useRouter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
  const create = useMutation(trpc.flows.create.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.flows.delete.mutationOptions({ onSuccess: invalidate }));
  type Row = NonNullable<typeof flows.data>[number];

  const fileInput = useRef<HTMLInputElement>(null);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string>();
  const [importErrors, setImportErrors] = useState<DocumentIssue[] | null>(null);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const [deleteError, setDeleteError] = useState<string>();
  const [notice, setNotice] = useState<{ text: string; isError: boolean }>();

  async function createAndOpen(document: unknown) {
    try {
      const flow = await create.mutateAsync({ document });
      router.push(`/flows/${flow.id}`);
    } catch (error) {
      setCreateError(errorText(fieldErrorsFromServer(error)._form) ?? t("createFailed"));
    }
  }

  function importText(text: string) {
    const result = readFlowFile(text);
    if (!result.ok) return setImportErrors(result.errors);
    void createAndOpen(result.document);
  }

  async function duplicate(row: Row) {
    try {
      const flow = await queryClient.fetchQuery({ ...trpc.flows.get.queryOptions({ id: row.id }), staleTime: 0 });
      const copy = await create.mutateAsync({ document: { ...flow.draft, name: t("copyOf", { name: flow.draft.name }) } });
      setNotice({ text: t("duplicated", { name: copy.name }), isError: false });
    } catch (error) {
      setNotice({ text: errorText(fieldErrorsFromServer(error)._form) ?? t("createFailed"), isError: true });
    }
  }

  async function confirmDelete() {
    if (!deleting) return;
    try {
      await remove.mutateAsync({ id: deleting.id });
      setDeleting(null);
    } catch (error) {
      setDeleteError(errorText(fieldErrorsFromServer(error)._form));
    }
  }

  const status = (row: Row) => {
    if (row.latestRevision === null) return <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-slate-600">{t("statusDraft")}</span>;
    const changed = row.publishedAt !== null && row.updatedAt > row.publishedAt;
    return (
      <span className={`rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${changed ? "bg-amber-50 text-amber-800" : "bg-emerald-50 text-emerald-700"}`}>
        {changed ? t("statusChanged", { revision: row.latestRevision }) : t("statusPublished", { revision: row.latestRevision })}
      </span>
    );
  };

  return (
    <>
      <div className="mb-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={() => fileInput.current?.click()}>
          <Upload aria-hidden className="h-4 w-4" />
          {t("import")}
        </Button>
        <Button
          onClick={() => {
            setCreateError(undefined);
            setCreating(true);
          }}
        >
          <Plus aria-hidden className="h-4 w-4" />
          {t("new")}
        </Button>
      </div>
      <FlowFileInput ref={fileInput} onText={importText} />
      {notice ? (
        <p role={notice.isError ? "alert" : "status"} className={`mb-4 rounded-md px-3 py-2 text-sm ${notice.isError ? "bg-red-50 text-red-700" : "bg-emerald-50 text-emerald-800"}`}>
          {notice.text}
        </p>
      ) : null}
      <DataTable
        rows={flows.data}
        rowName={(row) => row.name}
        empty={t("empty")}
        onEdit={(row) => router.push(`/flows/${row.id}`)}
        onDelete={(row) => {
          setDeleteError(undefined);
          setDeleting(row);
        }}
        columns={[
          {
            header: t("name"),
            cell: (row) => (
              <div>
                <Link href={`/flows/${row.id}`} className="font-medium text-brand-700 hover:underline">
                  {row.name}
                </Link>
                {row.description ? <p className="max-w-md truncate text-xs text-slate-500">{row.description}</p> : null}
              </div>
            ),
          },
          { header: t("status"), cell: status },
          { header: t("updated"), cell: (row) => <span className="whitespace-nowrap">{format.dateTime(new Date(row.updatedAt), { dateStyle: "medium", timeStyle: "short" })}</span> },
          {
            header: t("copy"),
            cell: (row) => (
              <button
                type="button"
                onClick={() => void duplicate(row)}
                aria-label={t("duplicate", { name: row.name })}
                className="rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
              >
                <Copy aria-hidden className="h-4 w-4" />
              </button>
            ),
          },
        ]}
      />
      <NewFlowDialog open={creating} pending={create.isPending} error={createError} onCreate={(document) => void createAndOpen(document)} onClose={() => setCreating(false)} />
      <ImportErrorsDialog errors={importErrors} onClose={() => setImportErrors(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title={t("deleteTitle", { name: deleting?.name ?? "" })}
        text={t("deleteText")}
        error={deleteError}
        pending={remove.isPending}
        onConfirm={() => void confirmDelete()}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
