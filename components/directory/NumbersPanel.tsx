"use client";
import type { FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { phoneNumberInputSchema, type PhoneNumberInput } from "@/lib/schemas/directory";
import { formatPhone } from "@/lib/phone";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { SelectField, TextField } from "../ui/Field";
import { useErrorText } from "../ui/formErrors";
import { useCrud } from "../ui/useCrud";
import { AddButton, FormActions, FormError } from "./bits";

export function NumbersPanel() {
  const t = useTranslations("numbers");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const numbers = useQuery(trpc.phoneNumbers.list.queryOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.phoneNumbers.list.queryKey() });
  const create = useMutation(trpc.phoneNumbers.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.phoneNumbers.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.phoneNumbers.delete.mutationOptions({ onSuccess: invalidate }));
  type Row = NonNullable<typeof numbers.data>[number];

  const crud = useCrud<Row, PhoneNumberInput>({
    schemaFor: () => phoneNumberInputSchema,
    save: (data, editing) => (editing ? update.mutateAsync({ id: editing.id, data }) : create.mutateAsync(data)),
    remove: (row) => remove.mutateAsync({ id: row.id }),
  });
  const editing = crud.editing;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void crud.submit({
      number: String(form.get("number") ?? ""),
      label: String(form.get("label") ?? ""),
      flowId: String(form.get("flowId") ?? "") || null,
    });
  }

  return (
    <>
      <AddButton label={t("add")} onClick={crud.openCreate} />
      <DataTable
        rows={numbers.data}
        rowName={(row) => formatPhone(row.number)}
        empty={t("empty")}
        onEdit={crud.openEdit}
        onDelete={crud.askDelete}
        columns={[
          { header: t("number"), cell: (row) => <span className="font-mono font-medium whitespace-nowrap">{formatPhone(row.number)}</span> },
          { header: t("label"), cell: (row) => row.label },
          { header: t("flow"), cell: (row) => row.flowName ?? <span className="text-slate-500">{t("noFlow")}</span> },
        ]}
      />
      <Modal open={crud.formOpen} title={editing ? t("editTitle", { number: formatPhone(editing.number) }) : t("createTitle")} onClose={crud.closeForm}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <TextField label={t("number")} name="number" type="tel" defaultValue={editing ? formatPhone(editing.number) : ""} hint={t("numberHint")} error={errorText(crud.errors.number)} />
          <TextField label={t("label")} name="label" defaultValue={editing?.label} error={errorText(crud.errors.label)} />
          <SelectField label={t("flow")} name="flowId" defaultValue={editing?.flowId ?? ""} hint={t("flowHint")} error={errorText(crud.errors.flowId)}>
            <option value="">{t("noFlow")}</option>
            {flows.data?.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
                {flow.latestRevision === null ? ` (${t("notPublished")})` : ""}
              </option>
            ))}
          </SelectField>
          <FormError message={errorText(crud.errors._form)} />
          <FormActions pending={crud.pending} onCancel={crud.closeForm} />
        </form>
      </Modal>
      <ConfirmDialog
        open={crud.deleting !== null}
        title={t("deleteTitle", { number: crud.deleting ? formatPhone(crud.deleting.number) : "" })}
        text={t("deleteText")}
        error={errorText(crud.errors._form)}
        pending={crud.pending}
        onConfirm={crud.confirmDelete}
        onClose={crud.closeDelete}
      />
    </>
  );
}
