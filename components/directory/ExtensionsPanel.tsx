"use client";
import type { FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { extensionInputSchema } from "@/lib/schemas/directory";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { CheckboxField, SelectField, TextField } from "../ui/Field";
import { useErrorText } from "../ui/formErrors";
import { useCrud } from "../ui/useCrud";
import { AddButton, FormActions, FormError, StatusBadge } from "./bits";
import { useForwardingColumn } from "../operations/Forwarding";
import { SipCredentialsSection } from "./SipCredentialsSection";

export function ExtensionsPanel({ isAdmin }: { isAdmin: boolean }) {
  const t = useTranslations("extensions");
  const forwardingColumn = useForwardingColumn();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const extensions = useQuery(trpc.extensions.list.queryOptions());
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: isAdmin });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.extensions.list.queryKey() });
  const create = useMutation(trpc.extensions.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.extensions.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.extensions.delete.mutationOptions({ onSuccess: invalidate }));
  type Row = NonNullable<typeof extensions.data>[number];

  const crud = useCrud<Row, ReturnType<typeof extensionInputSchema.parse>>({
    schemaFor: () => extensionInputSchema,
    save: (data, editing) => (editing ? update.mutateAsync({ id: editing.id, data }) : create.mutateAsync(data)),
    remove: (row) => remove.mutateAsync({ id: row.id }),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void crud.submit({
      number: String(form.get("number") ?? ""),
      name: String(form.get("name") ?? ""),
      ownerUserId: String(form.get("ownerUserId") ?? "") || null,
      enabled: form.get("enabled") === "on",
    });
  }

  const editing = crud.editing;
  return (
    <>
      {isAdmin ? <AddButton label={t("add")} onClick={crud.openCreate} /> : null}
      <DataTable
        rows={extensions.data}
        rowName={(row) => row.number}
        empty={t("empty")}
        onEdit={isAdmin ? crud.openEdit : undefined}
        onDelete={isAdmin ? crud.askDelete : undefined}
        columns={[
          { header: t("number"), cell: (row) => <span className="font-mono font-medium">{row.number}</span> },
          { header: t("name"), cell: (row) => row.name },
          { header: t("owner"), cell: (row) => row.ownerName ?? <span className="text-slate-500">{t("noOwner")}</span> },
          { header: t("status"), cell: (row) => <StatusBadge on={row.enabled} onText={t("statusEnabled")} offText={t("statusDisabled")} /> },
          forwardingColumn,
        ]}
      />
      <Modal open={crud.formOpen} title={editing ? t("editTitle", { number: editing.number }) : t("createTitle")} onClose={crud.closeForm}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <TextField label={t("number")} name="number" inputMode="numeric" defaultValue={editing?.number} hint={t("numberHint")} error={errorText(crud.errors.number)} />
          <TextField label={t("name")} name="name" defaultValue={editing?.name} error={errorText(crud.errors.name)} />
          <SelectField label={t("owner")} name="ownerUserId" defaultValue={editing?.ownerUserId ?? ""} error={errorText(crud.errors.ownerUserId)}>
            <option value="">{t("noOwner")}</option>
            {users.data?.map((u) => (
              <option key={u.id} value={u.id}>
                {`${u.firstName} ${u.lastName}`.trim()} ({u.email})
              </option>
            ))}
          </SelectField>
          <CheckboxField label={t("enabled")} name="enabled" defaultChecked={editing?.enabled ?? true} />
          <FormError message={errorText(crud.errors._form)} />
          <FormActions pending={crud.pending} onCancel={crud.closeForm} />
        </form>
        {editing && isAdmin ? <SipCredentialsSection extensionId={editing.id} /> : null}
      </Modal>
      <ConfirmDialog
        open={crud.deleting !== null}
        title={t("deleteTitle", { number: crud.deleting?.number ?? "" })}
        text={[
          t("deleteText", { number: crud.deleting?.number ?? "" }),
          crud.deleting?.ownerName ? t("deleteOwnerText", { owner: crud.deleting.ownerName }) : "",
        ].join("\n")}
        error={errorText(crud.errors._form)}
        pending={crud.pending}
        onConfirm={crud.confirmDelete}
        onClose={crud.closeDelete}
      />
    </>
  );
}
