"use client";
import type { FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ZodType } from "zod";
import { userCreateSchema, userUpdateSchema, type UserCreateInput, type UserUpdateInput } from "@/lib/schemas/directory";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { CheckboxField, SelectField, TextField } from "../ui/Field";
import { useErrorText } from "../ui/formErrors";
import { useCrud } from "../ui/useCrud";
import { AddButton, FormActions, FormError, StatusBadge } from "./bits";

export function UsersPanel() {
  const t = useTranslations("users");
  const tAuth = useTranslations("auth");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.users.delete.mutationOptions({ onSuccess: invalidate }));
  type Row = NonNullable<typeof users.data>[number];
  const fullName = (row: Row) => `${row.firstName} ${row.lastName}`.trim();

  const crud = useCrud<Row, UserCreateInput | UserUpdateInput>({
    schemaFor: (editing) => (editing ? userUpdateSchema : userCreateSchema) as ZodType<UserCreateInput | UserUpdateInput>,
    save: (data, editing) => (editing ? update.mutateAsync(data as UserUpdateInput) : create.mutateAsync(data as UserCreateInput)),
    remove: (row) => remove.mutateAsync({ id: row.id }),
  });
  const editing = crud.editing;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const common = {
      email: String(form.get("email") ?? ""),
      firstName: String(form.get("firstName") ?? ""),
      lastName: String(form.get("lastName") ?? ""),
      role: String(form.get("role") ?? "user"),
      password: String(form.get("password") ?? ""),
    };
    void crud.submit(editing ? { ...common, id: editing.id, enabled: form.get("enabled") === "on" } : common);
  }

  return (
    <>
      <AddButton label={t("add")} onClick={crud.openCreate} />
      <DataTable
        rows={users.data}
        rowName={fullName}
        empty={t("empty")}
        onEdit={crud.openEdit}
        onDelete={crud.askDelete}
        columns={[
          { header: t("name"), cell: (row) => <span className="font-medium">{fullName(row)}</span> },
          { header: t("email"), cell: (row) => row.email },
          { header: t("role"), cell: (row) => (row.role === "admin" ? t("roleAdminShort") : t("roleUserShort")) },
          { header: t("extension"), cell: (row) => <span className="font-mono">{row.extension ?? "—"}</span> },
          { header: t("enabled"), cell: (row) => <StatusBadge on={row.enabled} onText="✓" offText="✗" /> },
        ]}
      />
      <Modal open={crud.formOpen} title={editing ? t("editTitle", { name: fullName(editing) }) : t("createTitle")} onClose={crud.closeForm}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <div className="grid grid-cols-2 gap-3">
            <TextField label={tAuth("lastName")} name="lastName" defaultValue={editing?.lastName} error={errorText(crud.errors.lastName)} />
            <TextField label={tAuth("firstName")} name="firstName" defaultValue={editing?.firstName} error={errorText(crud.errors.firstName)} />
          </div>
          <TextField label={t("email")} name="email" type="email" defaultValue={editing?.email} error={errorText(crud.errors.email)} />
          <SelectField label={t("role")} name="role" defaultValue={editing?.role ?? "user"} error={errorText(crud.errors.role)}>
            <option value="user">{t("roleUser")}</option>
            <option value="admin">{t("roleAdmin")}</option>
          </SelectField>
          <TextField
            label={editing ? t("newPassword") : t("password")}
            name="password"
            type="password"
            autoComplete="new-password"
            hint={editing ? t("newPasswordHint") : undefined}
            error={errorText(crud.errors.password)}
          />
          {editing ? <CheckboxField label={t("enabled")} name="enabled" defaultChecked={editing.enabled} /> : null}
          <FormError message={errorText(crud.errors._form ?? crud.errors.id)} />
          <FormActions pending={crud.pending} onCancel={crud.closeForm} />
        </form>
      </Modal>
      <ConfirmDialog
        open={crud.deleting !== null}
        title={t("deleteTitle", { name: crud.deleting ? fullName(crud.deleting) : "" })}
        text={t("deleteText")}
        error={errorText(crud.errors._form)}
        pending={crud.pending}
        onConfirm={crud.confirmDelete}
        onClose={crud.closeDelete}
      />
    </>
  );
}
