"use client";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PhoneForwarded } from "lucide-react";
import { formatPhone } from "@/lib/phone";
import { defaultNoAnswerRingTimeoutS, forwardingKinds, forwardingRuleInputSchema, type ForwardingKindName, type ForwardingRuleInput } from "@/lib/schemas/operations";
import type { ExtensionForwardingView, ForwardingRuleView } from "@/server/services/forwarding";
import { useTRPC } from "../trpc";
import type { Column } from "../ui/DataTable";
import { Modal } from "../ui/Modal";
import { FormActions, FormError } from "../directory/bits";
import { fieldErrorsFromServer, fieldErrorsFromZod, useErrorText, type FieldErrors } from "../ui/formErrors";

/**
 * The extensions table's "Forwarding" column: each extension's active rules,
 * and for its owner and admins a button that opens the forwarding dialog.
 * One query serves every row.
 */
export function useForwardingColumn(): Column<{ number: string }> {
  const t = useTranslations("operations.forwarding");
  return { header: t("column"), cell: (row) => <ForwardingCell extension={row.number} /> };
}

function destinationText(rule: ForwardingRuleView): string {
  return rule.destination.type === "external" ? formatPhone(rule.destination.number) : rule.destination.number;
}

function ForwardingCell({ extension }: { extension: string }) {
  const t = useTranslations("operations.forwarding");
  const trpc = useTRPC();
  const overview = useQuery(trpc.forwarding.overview.queryOptions());
  const [open, setOpen] = useState(false);
  const entry = overview.data?.find((e) => e.extension === extension);
  if (!entry) return null;
  const active = forwardingKinds.filter((kind) => entry[kind]?.enabled);
  return (
    <div className="flex items-center gap-2">
      <ul className="text-xs text-slate-600">
        {active.length === 0 ? <li className="text-slate-500">{t("off")}</li> : null}
        {active.map((kind) => (
          <li key={kind} className="whitespace-nowrap">
            {t(`short.${kind}`)} → <span className="font-mono">{destinationText(entry[kind]!)}</span>
          </li>
        ))}
      </ul>
      {entry.canEdit ? (
        <>
          <button
            type="button"
            onClick={() => setOpen(true)}
            aria-label={t("editButton", { extension })}
            title={t("editButton", { extension })}
            className="rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
          >
            <PhoneForwarded aria-hidden className="h-4 w-4" />
          </button>
          <Modal open={open} title={t("dialogTitle", { extension })} onClose={() => setOpen(false)}>
            {open ? <ForwardingForm forwarding={entry} onClose={() => setOpen(false)} /> : null}
          </Modal>
        </>
      ) : null}
    </div>
  );
}

interface RuleDraft {
  enabled: boolean;
  type: "extension" | "external";
  number: string;
  ringTimeoutS: string;
}

function draftOf(kind: ForwardingKindName, rule: ForwardingRuleView | null): RuleDraft {
  return {
    enabled: rule?.enabled ?? false,
    type: rule?.destination.type ?? "extension",
    number: rule?.destination.number ?? "",
    ringTimeoutS: String(rule?.ring_timeout_s ?? (kind === "no_answer" ? defaultNoAnswerRingTimeoutS : "")),
  };
}

/** A rule with no destination and switched off is removed; one switched off but with a destination is kept for later. */
function ruleOf(kind: ForwardingKindName, draft: RuleDraft): ForwardingRuleInput | null {
  if (!draft.enabled && draft.number.trim() === "") return null;
  return {
    enabled: draft.enabled,
    destination: { type: draft.type, number: draft.number },
    ...(kind === "no_answer" ? { ring_timeout_s: Number(draft.ringTimeoutS) } : {}),
  };
}

function ForwardingForm({ forwarding, onClose }: { forwarding: ExtensionForwardingView; onClose: () => void }) {
  const t = useTranslations("operations.forwarding");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const extensions = useQuery(trpc.extensions.list.queryOptions());
  const save = useMutation(trpc.forwarding.save.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.forwarding.overview.queryKey() }) }));
  const [drafts, setDrafts] = useState(() => Object.fromEntries(forwardingKinds.map((kind) => [kind, draftOf(kind, forwarding[kind])])) as Record<ForwardingKindName, RuleDraft>);
  const [errors, setErrors] = useState<FieldErrors>({});
  const change = (kind: ForwardingKindName, update: Partial<RuleDraft>) => setDrafts((all) => ({ ...all, [kind]: { ...all[kind], ...update } }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const rules = Object.fromEntries(forwardingKinds.map((kind) => [kind, ruleOf(kind, drafts[kind])])) as Record<ForwardingKindName, ForwardingRuleInput | null>;
    const clientErrors: FieldErrors = {};
    for (const kind of forwardingKinds) {
      const parsed = rules[kind] ? forwardingRuleInputSchema.safeParse(rules[kind]) : null;
      if (parsed && !parsed.success) for (const [path, message] of Object.entries(fieldErrorsFromZod(parsed.error))) clientErrors[`${kind}.${path}`] = message;
    }
    setErrors(clientErrors);
    if (Object.keys(clientErrors).length > 0) return;
    const etags = Object.fromEntries(forwardingKinds.map((kind) => [kind, forwarding[kind]?.etag ?? null]));
    try {
      await save.mutateAsync({ extension: forwarding.extension, rules, etags });
      onClose();
    } catch (error) {
      setErrors(fieldErrorsFromServer(error));
    }
  }

  const others = extensions.data?.filter((e) => e.number !== forwarding.extension) ?? [];
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <p className="text-sm text-slate-600">{t("dialogIntro")}</p>
      {forwardingKinds.map((kind) => {
        const draft = drafts[kind];
        const id = `fwd-${kind}`;
        const numberError = errorText(errors[`${kind}.destination.number`]);
        const timeoutError = errorText(errors[`${kind}.ring_timeout_s`]);
        return (
          <fieldset key={kind} className="rounded-lg p-3 ring-1 ring-slate-200">
            <legend className="px-1 text-sm font-semibold text-slate-800">{t(`kind.${kind}`)}</legend>
            <div className="mb-2 flex items-center gap-2">
              <input id={`${id}-enabled`} type="checkbox" checked={draft.enabled} onChange={(e) => change(kind, { enabled: e.target.checked })} className="h-4 w-4 rounded border-slate-300" />
              <label htmlFor={`${id}-enabled`} className="text-sm text-slate-700">
                {t(`enable.${kind}`)}
              </label>
            </div>
            <div className="grid grid-cols-[10rem_1fr] gap-2">
              <div>
                <label htmlFor={`${id}-type`} className="block text-xs font-medium text-slate-600">
                  {t("destinationType")}
                </label>
                <select
                  id={`${id}-type`}
                  value={draft.type}
                  onChange={(e) => change(kind, { type: e.target.value as RuleDraft["type"], number: "" })}
                  className="mt-1 block w-full rounded-md border-0 px-2 py-2 text-sm shadow-sm ring-1 ring-slate-300"
                >
                  <option value="extension">{t("toExtension")}</option>
                  <option value="external">{t("toExternal")}</option>
                </select>
              </div>
              <div>
                <label htmlFor={`${id}-number`} className="block text-xs font-medium text-slate-600">
                  {t(draft.type === "extension" ? "destinationExtension" : "destinationNumber")}
                </label>
                {draft.type === "extension" ? (
                  <select
                    id={`${id}-number`}
                    value={draft.number}
                    onChange={(e) => change(kind, { number: e.target.value })}
                    aria-invalid={Boolean(numberError)}
                    className="mt-1 block w-full rounded-md border-0 px-2 py-2 text-sm shadow-sm ring-1 ring-slate-300 aria-[invalid=true]:ring-red-500"
                  >
                    <option value="">{t("chooseExtension")}</option>
                    {others.map((e) => (
                      <option key={e.id} value={e.number}>
                        {e.number} · {e.name}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`${id}-number`}
                    type="tel"
                    value={draft.number}
                    onChange={(e) => change(kind, { number: e.target.value })}
                    placeholder="+36 30 123 4567"
                    aria-invalid={Boolean(numberError)}
                    className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300 aria-[invalid=true]:ring-red-500"
                  />
                )}
              </div>
            </div>
            {kind === "no_answer" ? (
              <div className="mt-2 flex items-center gap-2">
                <label htmlFor={`${id}-timeout`} className="text-xs font-medium text-slate-600">
                  {t("ringTimeout")}
                </label>
                <input
                  id={`${id}-timeout`}
                  type="number"
                  min={5}
                  max={300}
                  value={draft.ringTimeoutS}
                  onChange={(e) => change(kind, { ringTimeoutS: e.target.value })}
                  aria-invalid={Boolean(timeoutError)}
                  className="block w-20 rounded-md border-0 px-2 py-1.5 text-sm shadow-sm ring-1 ring-slate-300 aria-[invalid=true]:ring-red-500"
                />
                <span className="text-xs text-slate-500">{t("seconds")}</span>
              </div>
            ) : null}
            {numberError || timeoutError ? (
              <p role="alert" className="mt-2 text-sm text-red-600">
                {numberError ?? timeoutError}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      <FormError message={errorText(errors._form)} />
      <FormActions pending={save.isPending} onCancel={onClose} />
    </form>
  );
}
