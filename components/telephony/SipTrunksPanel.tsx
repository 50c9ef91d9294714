"use client";
import type { FormEvent } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { sipTrunkInputSchema, type SipTrunkData } from "@/lib/schemas/sipTrunks";
import { formatPhone } from "@/lib/phone";
import { useTRPC } from "../trpc";
import { Card } from "../ui/PageHeader";
import { DataTable } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { CheckboxField, TextAreaField, TextField } from "../ui/Field";
import { useErrorText, type FieldErrors } from "../ui/formErrors";
import { useCrud } from "../ui/useCrud";
import { AddButton, FormActions, FormError, StatusBadge } from "../directory/bits";
import { SipServerAddress } from "./SipServerAddress";

/** A list field's lines ("a\nb, c" → ["a", "b", "c"]). */
function lines(value: FormDataEntryValue | null): string[] {
  return String(value ?? "")
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The first error of a field or of any of its items (`addresses.2` is shown at `addresses`). */
function errorOf(errors: FieldErrors, field: string): string | undefined {
  return errors[field] ?? Object.entries(errors).find(([key]) => key.startsWith(`${field}.`))?.[1];
}

/** The SIP trunks page (admins): the trunks, their registration status (refreshed), and a form per trunk. */
export function SipTrunksPanel() {
  const t = useTranslations("sipTrunks");
  const format = useFormatter();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Registration status changes on its own (the SIP edge writes it): refreshed while the page is open.
  const trunks = useQuery({ ...trpc.sipTrunks.list.queryOptions(), refetchInterval: 5000 });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.sipTrunks.list.queryKey() });
  const create = useMutation(trpc.sipTrunks.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.sipTrunks.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.sipTrunks.delete.mutationOptions({ onSuccess: invalidate }));
  type Row = NonNullable<typeof trunks.data>[number];

  const crud = useCrud<Row, SipTrunkData>({
    schemaFor: () => sipTrunkInputSchema,
    // The parsed form (addresses as {host, port}) parses again on the server: the same rule, checked twice.
    save: (data, editing) => (editing ? update.mutateAsync({ id: editing.id, data }) : create.mutateAsync(data)),
    remove: (row) => remove.mutateAsync({ id: row.id }),
  });
  const editing = crud.editing;
  const error = (field: string) => errorText(errorOf(crud.errors, field));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void crud.submit({
      name: String(form.get("name") ?? ""),
      enabled: form.get("enabled") === "on",
      addresses: lines(form.get("addresses")),
      dids: lines(form.get("dids")),
      proxy: String(form.get("proxy") ?? ""),
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
      outbound: form.get("outbound") === "on",
      callerIdNumber: String(form.get("callerIdNumber") ?? ""),
    });
  }

  function registration(row: Row) {
    if (!row.username) return <span className="text-slate-500">{t("notRegistering")}</span>;
    const status = row.registration;
    if (!status) return <span className="text-slate-500">{t("waiting")}</span>;
    if (status.state === "registered" && status.expiresAt) {
      return <span className="text-emerald-700">{t("registered", { until: format.dateTime(new Date(status.expiresAt), { timeStyle: "short" }) })}</span>;
    }
    if (status.state === "failing") return <span className="text-red-700">{t("failing", { reason: status.reason ?? "" })}</span>;
    return <span className="text-slate-600">{t("registering")}</span>;
  }

  return (
    <>
      <Card className="mb-4 space-y-2 p-4">
        <h2 className="text-sm font-semibold text-slate-900">{t("serverTitle")}</h2>
        <SipServerAddress />
      </Card>
      <AddButton label={t("add")} onClick={crud.openCreate} />
      <DataTable
        rows={trunks.data}
        rowName={(row) => row.name}
        empty={t("empty")}
        onEdit={crud.openEdit}
        onDelete={crud.askDelete}
        columns={[
          {
            header: t("name"),
            cell: (row) => (
              <div className="space-y-1">
                <div className="font-medium whitespace-nowrap">{row.name}</div>
                <div className="flex flex-wrap gap-1">
                  <StatusBadge on={row.enabled} onText={t("on")} offText={t("off")} />
                  {row.outbound ? <StatusBadge on onText={t("outboundBadge")} offText="" /> : null}
                </div>
              </div>
            ),
          },
          { header: t("addresses"), cell: (row) => <span className="font-mono text-xs">{row.addresses.join(", ")}</span> },
          {
            header: t("dids"),
            cell: (row) => (row.dids.length === 0 ? <span className="text-slate-500">{t("allNumbers")}</span> : <span className="whitespace-nowrap">{row.dids.map(formatPhone).join(", ")}</span>),
          },
          { header: t("registration"), cell: registration },
        ]}
      />
      <Modal open={crud.formOpen} title={editing ? t("editTitle", { name: editing.name }) : t("createTitle")} onClose={crud.closeForm}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <TextField label={t("name")} name="name" defaultValue={editing?.name} maxLength={80} error={error("name")} />
          <CheckboxField label={t("enabled")} name="enabled" defaultChecked={editing?.enabled ?? true} />
          <TextAreaField label={t("addresses")} name="addresses" rows={2} defaultValue={editing?.addresses.join("\n")} hint={t("addressesHint")} error={error("addresses")} spellCheck={false} />
          <TextAreaField label={t("dids")} name="dids" rows={2} defaultValue={editing?.dids.map(formatPhone).join("\n")} hint={t("didsHint")} error={error("dids")} />
          <TextField label={t("proxy")} name="proxy" defaultValue={editing?.proxy ?? ""} hint={t("proxyHint")} error={error("proxy")} spellCheck={false} />
          <fieldset className="space-y-3 rounded-md p-3 ring-1 ring-slate-200">
            <legend className="px-1 text-sm font-medium text-slate-700">{t("registrationSection")}</legend>
            <p className="text-xs text-slate-500">{t("registrationIntro")}</p>
            <TextField label={t("username")} name="username" defaultValue={editing?.username} autoComplete="off" error={error("username")} />
            <TextField
              label={t("password")}
              name="password"
              type="password"
              autoComplete="new-password"
              hint={editing?.hasPassword ? t("passwordKeep") : t("passwordNew")}
              error={error("password")}
            />
          </fieldset>
          <CheckboxField label={t("outbound")} name="outbound" defaultChecked={editing?.outbound ?? false} />
          <TextField label={t("callerIdNumber")} name="callerIdNumber" type="tel" defaultValue={editing?.callerIdNumber} hint={t("callerIdNumberHint")} error={error("callerIdNumber")} />
          <FormError message={errorText(crud.errors._form)} />
          <FormActions pending={crud.pending} onCancel={crud.closeForm} />
        </form>
      </Modal>
      <ConfirmDialog
        open={crud.deleting !== null}
        title={t("deleteTitle", { name: crud.deleting?.name ?? "" })}
        text={t("deleteText")}
        error={errorText(crud.errors._form)}
        pending={crud.pending}
        onConfirm={crud.confirmDelete}
        onClose={crud.closeDelete}
      />
    </>
  );
}
