"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { DataTable } from "../ui/DataTable";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { Button } from "../ui/Button";
import { FormError, StatusBadge } from "../directory/bits";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";

/** Admins: which users are call-centre agents. Removing one deletes their state history, so it asks first. */
export function AgentsPanel() {
  const t = useTranslations("operations.callCentre.agents");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const people = useQuery(trpc.callCentre.people.queryOptions());
  const refresh = () => Promise.all([trpc.callCentre.people, trpc.callCentre.board, trpc.callCentre.queues].map((p) => queryClient.invalidateQueries({ queryKey: p.queryKey() })));
  const setAgent = useMutation(trpc.callCentre.setAgent.mutationOptions({ onSuccess: refresh }));
  type Person = NonNullable<typeof people.data>[number];
  const [removing, setRemoving] = useState<Person | null>(null);

  return (
    <>
      <p className="mb-4 text-sm text-slate-600">{t("intro")}</p>
      <FormError message={setAgent.error && !removing ? errorText(fieldErrorsFromServer(setAgent.error)._form) : undefined} />
      <DataTable
        rows={people.data}
        rowName={(row) => row.name}
        empty={t("empty")}
        columns={[
          { header: t("name"), cell: (row) => <span className="font-medium">{row.name}</span> },
          { header: t("email"), cell: (row) => row.email },
          {
            header: t("extension"),
            cell: (row) => (row.extension ? <span className="font-mono">{row.extension}</span> : <span className="text-xs text-amber-700">{t("noExtension")}</span>),
          },
          { header: t("agent"), cell: (row) => <StatusBadge on={Boolean(row.agentId)} onText={t("isAgent")} offText={t("notAgent")} /> },
          {
            header: t("change"),
            cell: (row) =>
              row.agentId ? (
                <Button variant="secondary" onClick={() => setRemoving(row)} aria-label={t("removeFor", { name: row.name })}>
                  {t("remove")}
                </Button>
              ) : (
                <Button variant="secondary" onClick={() => setAgent.mutate({ userId: row.id, isAgent: true })} aria-label={t("makeFor", { name: row.name })} disabled={setAgent.isPending}>
                  {t("make")}
                </Button>
              ),
          },
        ]}
      />
      <ConfirmDialog
        open={removing !== null}
        title={t("removeTitle", { name: removing?.name ?? "" })}
        text={t("removeText")}
        error={setAgent.error ? errorText(fieldErrorsFromServer(setAgent.error)._form) : undefined}
        pending={setAgent.isPending}
        onConfirm={() => removing && setAgent.mutate({ userId: removing.id, isAgent: false }, { onSuccess: () => setRemoving(null) })}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}
