"use client";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { queueInputSchema, type QueueInput } from "@/lib/schemas/operations";
import type { QueueView } from "@/server/services/queues";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { SelectField, TextField } from "../ui/Field";
import { AddButton, FormActions, FormError } from "../directory/bits";
import { fieldErrorsFromServer, fieldErrorsFromZod, useErrorText, type FieldErrors } from "../ui/formErrors";

/** Admins: call-centre queues (name, strategy, maximum wait, wrap-up time, member agents). */
export function QueuesPanel() {
  const t = useTranslations("operations.callCentre.queues");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queues = useQuery(trpc.callCentre.queues.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.callCentre.queues.queryKey() });
  const create = useMutation(trpc.callCentre.createQueue.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.callCentre.updateQueue.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.callCentre.deleteQueue.mutationOptions({ onSuccess: invalidate }));
  const [editing, setEditing] = useState<QueueView | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<QueueView | null>(null);

  const save = (input: QueueInput) => (editing ? update.mutateAsync({ id: editing.id, data: input }) : create.mutateAsync(input));

  return (
    <>
      <AddButton
        label={t("add")}
        onClick={() => {
          setEditing(null);
          setFormOpen(true);
        }}
      />
      <DataTable
        rows={queues.data}
        rowName={(row) => row.name}
        empty={t("empty")}
        onEdit={(row) => {
          setEditing(row);
          setFormOpen(true);
        }}
        onDelete={(row) => {
          remove.reset();
          setDeleting(row);
        }}
        columns={[
          { header: t("name"), cell: (row) => <span className="font-medium">{row.name}</span> },
          { header: t("strategy"), cell: (row) => t(`strategies.${row.strategy}`) },
          { header: t("maxWait"), cell: (row) => t("secondsValue", { seconds: row.maxWaitS }) },
          { header: t("wrapUp"), cell: (row) => t("secondsValue", { seconds: row.wrapUpS }) },
          { header: t("members"), cell: (row) => row.members.map((m) => m.name).join(", ") || <span className="text-slate-500">{t("noMembers")}</span> },
        ]}
      />
      <Modal open={formOpen} title={editing ? t("editTitle", { name: editing.name }) : t("createTitle")} onClose={() => setFormOpen(false)}>
        {formOpen ? <QueueForm key={editing?.id ?? "new"} queue={editing} onSave={save} onClose={() => setFormOpen(false)} /> : null}
      </Modal>
      <ConfirmDialog
        open={deleting !== null}
        title={t("deleteTitle", { name: deleting?.name ?? "" })}
        text={t("deleteText")}
        error={remove.error ? errorText(fieldErrorsFromServer(remove.error)._form) : undefined}
        pending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id }, { onSuccess: () => setDeleting(null) })}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function QueueForm({ queue, onSave, onClose }: { queue: QueueView | null; onSave: (input: QueueInput) => Promise<unknown>; onClose: () => void }) {
  const t = useTranslations("operations.callCentre.queues");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const people = useQuery(trpc.callCentre.people.queryOptions());
  const agentsList = people.data?.filter((p) => p.agentId) ?? [];
  const [members, setMembers] = useState<string[]>(queue?.members.map((m) => m.agentId) ?? []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: String(form.get("name") ?? ""),
      strategy: String(form.get("strategy")) as QueueInput["strategy"],
      maxWaitS: Number(form.get("maxWaitS")),
      wrapUpS: Number(form.get("wrapUpS")),
      memberAgentIds: members,
    };
    const parsed = queueInputSchema.safeParse(input);
    if (!parsed.success) return setErrors(fieldErrorsFromZod(parsed.error));
    setPending(true);
    try {
      await onSave(input);
      onClose();
    } catch (error) {
      setErrors(fieldErrorsFromServer(error));
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label={t("name")} name="name" defaultValue={queue?.name} error={errorText(errors.name)} />
      <SelectField label={t("strategy")} name="strategy" defaultValue={queue?.strategy ?? "longest_idle"} hint={t("strategyHint")}>
        <option value="longest_idle">{t("strategies.longest_idle")}</option>
        <option value="ring_all">{t("strategies.ring_all")}</option>
      </SelectField>
      <div className="grid grid-cols-2 gap-3">
        <TextField label={t("maxWaitLabel")} name="maxWaitS" type="number" min={10} max={3600} defaultValue={queue?.maxWaitS ?? 120} error={errorText(errors.maxWaitS)} />
        <TextField label={t("wrapUpLabel")} name="wrapUpS" type="number" min={0} max={600} defaultValue={queue?.wrapUpS ?? 15} error={errorText(errors.wrapUpS)} />
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("members")}</legend>
        {agentsList.length === 0 ? <p className="text-sm text-slate-500">{t("noAgents")}</p> : null}
        <div className="grid max-h-48 grid-cols-2 gap-1 overflow-auto">
          {agentsList.map((person) => (
            <label key={person.agentId} className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="h-4 w-4 rounded border-slate-300"
                checked={members.includes(person.agentId!)}
                onChange={(e) => setMembers((current) => (e.target.checked ? [...current, person.agentId!] : current.filter((id) => id !== person.agentId)))}
              />
              {person.name}
              {person.extension ? <span className="font-mono text-xs text-slate-500">{person.extension}</span> : null}
            </label>
          ))}
        </div>
        {errors.memberAgentIds ? (
          <p role="alert" className="mt-1 text-sm text-red-600">
            {errorText(errors.memberAgentIds)}
          </p>
        ) : null}
      </fieldset>
      <FormError message={errorText(errors._form)} />
      <FormActions pending={pending} onCancel={onClose} />
    </form>
  );
}
