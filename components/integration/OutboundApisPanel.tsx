"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FlaskConical, KeyRound, Pause, Pencil, Play, Plus, Trash2 } from "lucide-react";
import { outboundApiKinds, type OutboundApiKind } from "@/lib/schemas/integration";
import type { OutboundApiView } from "@/server/services/outboundApis";
import type { TestReport } from "@/server/integration/testSend";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { SelectField } from "../ui/Field";
import { OutboundApiForm } from "./OutboundApiForm";
import { TestReportDialog } from "./TestReportDialog";
import { Badge, IconButton, SecretOnceDialog, errorsFromServer, useFieldErrorText, useWhen, type FieldErrors } from "./shared";

type Editing = { kind: OutboundApiKind; view: OutboundApiView | null };

/** The outbound APIs, one block per kind, each with its Test button; the form replaces the list while editing. */
export function OutboundApisPanel() {
  const t = useTranslations("integration.apis");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const errorText = useFieldErrorText();
  const when = useWhen();
  const apis = useQuery(trpc.integration.outboundApis.list.queryOptions());
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.integration.outboundApis.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.integration.deliveries.health.queryKey() }),
    ]);
  const setEnabled = useMutation(trpc.integration.outboundApis.setEnabled.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.integration.outboundApis.delete.mutationOptions({ onSuccess: invalidate }));
  const rotate = useMutation(trpc.integration.outboundApis.rotateSigningSecret.mutationOptions({ onSuccess: invalidate }));
  const test = useMutation(trpc.integration.outboundApis.test.mutationOptions());

  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<OutboundApiView | null>(null);
  const [rotating, setRotating] = useState<OutboundApiView | null>(null);
  const [grace, setGrace] = useState(24);
  const [secret, setSecret] = useState<string | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  /** The caller number a look-up's Test asks the CRM about, per API. */
  const [testNumbers, setTestNumbers] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});

  if (editing) {
    return (
      <OutboundApiForm
        key={editing.view?.id ?? editing.kind}
        kind={editing.kind}
        editing={editing.view}
        onCancel={() => setEditing(null)}
        onSaved={({ signingSecret }) => {
          void invalidate();
          setEditing(null);
          if (signingSecret) setSecret(signingSecret);
        }}
      />
    );
  }

  async function runTest(api: OutboundApiView) {
    setTesting(api.id);
    try {
      setErrors({});
      const number = testNumbers[api.id]?.trim();
      setReport(await test.mutateAsync({ id: api.id, ...(api.kind === "data_lookup" && number ? { caller_number: number } : {}) }));
    } catch (error) {
      setErrors(errorsFromServer(error));
    } finally {
      setTesting(null);
    }
  }

  return (
    <section aria-labelledby="outbound-apis-title" className="space-y-6">
      <div>
        <h2 id="outbound-apis-title" className="text-lg font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">{t("intro")}</p>
      </div>
      {errors._form || errors.caller_number ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorText(errors._form ?? errors.caller_number)}
        </p>
      ) : null}
      {outboundApiKinds.map((kind) => {
        const ofKind = (apis.data ?? []).filter((api) => api.kind === kind);
        return (
          <div key={kind} className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            <div className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-100 px-4 py-3">
              <div>
                <h3 className="font-medium text-slate-900">{t(`kinds.${kind}`)}</h3>
                <p className="max-w-2xl text-xs text-slate-500">{t(`kindHelp.${kind}`)}</p>
              </div>
              <Button variant="secondary" aria-label={`${t("add")}: ${t(`kinds.${kind}`)}`} onClick={() => setEditing({ kind, view: null })}>
                <Plus aria-hidden className="h-4 w-4" />
                {t("add")}
              </Button>
            </div>
            {apis.data === undefined ? (
              <p className="px-4 py-4 text-sm text-slate-500">{tc("loading")}</p>
            ) : ofKind.length === 0 ? (
              <p className="px-4 py-4 text-sm text-slate-500">{t("empty")}</p>
            ) : (
              <ul className="divide-y divide-slate-100">
                {ofKind.map((api) => (
                  <li key={api.id} className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm">
                    <div className="min-w-0 flex-1">
                      <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                        {api.name}
                        {api.enabled ? <Badge tone="green">{t("statusEnabled")}</Badge> : <Badge tone={api.disabled_reason ? "red" : "slate"}>{api.disabled_reason === "gone" ? t("statusGone") : t("statusDisabled")}</Badge>}
                        <Badge tone="blue">{api.apply_to === "all_calls" ? t("applyAllShort") : t("applyNodesShort")}</Badge>
                        {api.trigger ? <Badge tone="slate">{api.trigger === "ringing" ? t("triggerRinging") : t("triggerAnswered")}</Badge> : null}
                      </p>
                      <p className="truncate font-mono text-xs text-slate-500">
                        {api.method} {api.url}
                      </p>
                      <p className="text-xs text-slate-500">
                        {t("signingSecret")}: <span className="font-mono">{api.signing_secret_hint}</span>
                        {api.previous_signing_secret_expires_at ? ` · ${t("previousSecretUntil", { time: when(api.previous_signing_secret_expires_at) })}` : ""}
                      </p>
                    </div>
                    <div className="flex flex-wrap items-center gap-1">
                      {api.kind === "data_lookup" ? (
                        <input
                          aria-label={`${t("testNumber")}: ${api.name}`}
                          placeholder={t("testNumberPlaceholder")}
                          inputMode="tel"
                          className="w-full rounded-md border-0 px-2 py-1.5 text-sm ring-1 ring-slate-300 sm:w-44"
                          value={testNumbers[api.id] ?? ""}
                          onChange={(event) => setTestNumbers((current) => ({ ...current, [api.id]: event.target.value }))}
                        />
                      ) : null}
                      <Button variant="secondary" disabled={testing === api.id} onClick={() => void runTest(api)} aria-label={`${t("test")}: ${api.name}`}>
                        <FlaskConical aria-hidden className="h-4 w-4" />
                        {testing === api.id ? t("testing") : t("test")}
                      </Button>
                      <IconButton label={`${tc("edit")}: ${api.name}`} onClick={() => setEditing({ kind: api.kind, view: api })}>
                        <Pencil aria-hidden className="h-4 w-4" />
                      </IconButton>
                      <IconButton label={`${api.enabled ? t("disable") : t("enable")}: ${api.name}`} onClick={() => setEnabled.mutate({ id: api.id, enabled: !api.enabled })}>
                        {api.enabled ? <Pause aria-hidden className="h-4 w-4" /> : <Play aria-hidden className="h-4 w-4" />}
                      </IconButton>
                      <IconButton
                        label={`${t("rotateSigning")}: ${api.name}`}
                        onClick={() => {
                          setGrace(24);
                          setRotating(api);
                        }}
                      >
                        <KeyRound aria-hidden className="h-4 w-4" />
                      </IconButton>
                      <IconButton label={`${tc("delete")}: ${api.name}`} danger onClick={() => setDeleting(api)}>
                        <Trash2 aria-hidden className="h-4 w-4" />
                      </IconButton>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}

      <TestReportDialog report={report} onClose={() => setReport(null)} />
      <SecretOnceDialog open={secret !== null} title={t("signingSecretTitle")} values={secret ? [{ label: "signing_secret", value: secret }] : []} onClose={() => setSecret(null)} />
      <ConfirmDialog
        open={rotating !== null}
        title={t("rotateSigningTitle", { name: rotating?.name ?? "" })}
        text={t("rotateSigningText")}
        confirmLabel={t("rotateSigning")}
        danger={false}
        pending={rotate.isPending}
        onConfirm={() => {
          if (!rotating) return;
          void rotate.mutateAsync({ id: rotating.id, grace_hours: grace }).then((result) => {
            setRotating(null);
            setSecret(result.signingSecret);
          });
        }}
        onClose={() => setRotating(null)}
      >
        <SelectField label={t("grace")} value={String(grace)} onChange={(event) => setGrace(Number(event.target.value))}>
          {[0, 1, 24, 72, 168].map((hours) => (
            <option key={hours} value={hours}>
              {hours === 0 ? t("graceNone") : t("graceHours", { hours })}
            </option>
          ))}
        </SelectField>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title={t("deleteTitle", { name: deleting?.name ?? "" })}
        text={t("deleteText")}
        pending={remove.isPending}
        onConfirm={() => {
          if (deleting) void remove.mutateAsync({ id: deleting.id }).then(() => setDeleting(null));
        }}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}
