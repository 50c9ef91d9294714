"use client";
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Download, Plus, RotateCcw, X } from "lucide-react";
import { hookEventTypes, MAX_LOOKUP_STEPS, outboundApiInputSchema, type ResponseMapping } from "@/lib/schemas/integration";
import type { OutboundApiView } from "@/server/services/outboundApis";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { Card } from "../ui/PageHeader";
import { CheckboxField, SelectField, TextField } from "../ui/Field";
import { applyPreset, defaultIntervals, emptyForm, formFromView, inputFromForm, type FormState } from "./formState";
import { errorsFromServer, errorsFromZod, useFieldErrorText, type FieldErrors } from "./shared";

const textareaClass =
  "block w-full rounded-md border-0 px-3 py-2 font-mono text-xs text-slate-900 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-500 aria-[invalid=true]:ring-red-500";

/** Create or edit one outbound API. One form for all kinds; the kind decides which sections appear. */
export function OutboundApiForm({
  kind,
  editing,
  onSaved,
  onCancel,
}: {
  kind: FormState["kind"];
  editing: OutboundApiView | null;
  onSaved: (result: { view: OutboundApiView; signingSecret?: string }) => void;
  onCancel: () => void;
}) {
  const t = useTranslations("integration.apis");
  const tc = useTranslations("common");
  const locale = useLocale() === "hu" ? "hu" : "en";
  const trpc = useTRPC();
  const errorText = useFieldErrorText();
  const [form, setForm] = useState<FormState>(() => (editing ? formFromView(editing) : emptyForm(kind)));
  const [errors, setErrors] = useState<FieldErrors>({});
  const presets = useQuery(trpc.integration.outboundApis.presets.queryOptions());
  const create = useMutation(trpc.integration.outboundApis.create.mutationOptions());
  const update = useMutation(trpc.integration.outboundApis.update.mutationOptions());
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((current) => ({ ...current, [key]: value }));
  const err = (path: string) => errorText(errors[path] ?? Object.entries(errors).find(([key]) => key.startsWith(`${path}.`))?.[1]);
  const storedHint = editing?.auth.type === form.authType ? editing.auth.secret_hint : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = inputFromForm(form);
    const parsed = outboundApiInputSchema.safeParse(input);
    if (!parsed.success) return setErrors(errorsFromZod(parsed.error));
    setErrors({});
    try {
      if (editing) onSaved({ view: await update.mutateAsync({ id: editing.id, data: input }) });
      else {
        const result = await create.mutateAsync(input);
        onSaved({ view: result.outboundApi, signingSecret: result.signingSecret });
      }
    } catch (error) {
      setErrors(errorsFromServer(error));
    }
  }

  const applicablePresets = (presets.data ?? []).filter((preset) => preset.kinds.includes(form.kind));
  const connector = (presets.data ?? []).find((preset) => preset.id === form.preset)?.connector;
  /** A connector whose only credential is the template secret (MiniCRM's call log key) shows it with the other credentials. */
  const secretIsTheCredential = Boolean(connector) && form.authType === "none";
  const bodySecretField = (
    <TextField
      label={secretIsTheCredential && connector ? connector.credentials.secret[locale] : t("bodySecret")}
      type="password"
      autoComplete="new-password"
      value={form.bodySecret}
      placeholder={editing?.body_secret_hint ?? ""}
      hint={editing?.body_secret_hint ? t("secretKept", { hint: editing.body_secret_hint }) : t("bodySecretHint")}
      onChange={(e) => set("bodySecret", e.target.value)}
    />
  );
  const technical = (children: ReactNode) =>
    connector ? (
      <details className="rounded-md ring-1 ring-slate-200">
        <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-700">{t("advanced")}</summary>
        <div className="space-y-6 px-3 pb-3">
          <p className="text-xs text-slate-500">{t("advancedHint", { crm: connector.crm })}</p>
          {children}
        </div>
      </details>
    ) : (
      children
    );
  return (
    <Card className="p-6">
      <h2 className="mb-1 text-lg font-semibold text-slate-900">{editing ? t("editTitle", { name: editing.name }) : t("createTitle", { kind: t(`kinds.${form.kind}`) })}</h2>
      <p className="mb-5 max-w-3xl text-sm text-slate-600">{t(`kindHelp.${form.kind}`)}</p>
      <form onSubmit={onSubmit} noValidate className="space-y-6">
        {!editing && applicablePresets.length > 0 ? (
          <SelectField
            label={t("preset")}
            value={form.preset ?? ""}
            hint={applicablePresets.find((p) => p.id === form.preset)?.description[locale] ?? t("presetHint")}
            onChange={(event) => {
              const preset = applicablePresets.find((p) => p.id === event.target.value);
              setForm((current) => (preset ? applyPreset(current, preset) : { ...current, preset: null }));
            }}
          >
            <option value="">{t("presetNone")}</option>
            {applicablePresets.map((preset) => (
              <option key={preset.id} value={preset.id}>
                {preset.label[locale]}
              </option>
            ))}
          </SelectField>
        ) : null}

        {connector ? (
          <div className="rounded-md bg-brand-50 p-4 text-sm text-slate-800 ring-1 ring-brand-200" data-testid="connector-guide">
            <p className="mb-1 font-semibold">{t("connectorGuide", { crm: connector.crm })}</p>
            <ol className="list-decimal space-y-1 pl-5">
              {connector.guide[locale]
                .split(/\s*\d+\.\s+/)
                .filter(Boolean)
                .map((step, index) => (
                  <li key={index}>{step}</li>
                ))}
            </ol>
            <p className="mt-2 text-xs text-slate-500">{t("connectorDocs", { docs: connector.docs })}</p>
          </div>
        ) : null}

        <Section title={t("sectionTarget")}>
          <TextField label={t("name")} value={form.name} onChange={(e) => set("name", e.target.value)} error={err("name")} />
          <TextField label={t("url")} value={form.url} placeholder="https://crm.example.com/switchboard/hook" onChange={(e) => set("url", e.target.value)} hint={t("urlHint")} error={err("url")} />
          <div className="grid grid-cols-2 gap-4">
            <SelectField label={t("method")} value={form.method} onChange={(e) => set("method", e.target.value as FormState["method"])}>
              {(form.kind === "data_lookup" ? ["GET", "POST", "PUT", "PATCH"] : ["POST", "PUT", "PATCH"]).map((m) => (
                <option key={m}>{m}</option>
              ))}
            </SelectField>
            <TextField
              label={form.kind === "data_lookup" ? t("budget") : t("timeout")}
              inputMode="numeric"
              value={form.timeoutMs}
              onChange={(e) => set("timeoutMs", e.target.value)}
              hint={form.kind === "data_lookup" ? t("budgetHint") : t("timeoutHint")}
              error={err("timeout_ms")}
            />
          </div>
          <CheckboxField label={t("enabled")} checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} />
        </Section>

        <Section title={t("sectionScope")}>
          <RadioGroup
            name="apply_to"
            value={form.applyTo}
            onChange={(value) => set("applyTo", value as FormState["applyTo"])}
            options={[
              { value: "all_calls", label: t("applyAll"), hint: form.kind === "data_lookup" ? t("applyAllLookup") : undefined },
              { value: "flow_nodes", label: t("applyNodes") },
            ]}
          />
          {form.kind === "incoming_notification" ? (
            <div className="grid grid-cols-2 gap-4">
              <SelectField label={t("trigger")} value={form.trigger} onChange={(e) => set("trigger", e.target.value as FormState["trigger"])}>
                <option value="ringing">{t("triggerRinging")}</option>
                <option value="answered">{t("triggerAnswered")}</option>
              </SelectField>
              <TextField label={t("ttl")} inputMode="numeric" value={form.ttlS} onChange={(e) => set("ttlS", e.target.value)} hint={t("ttlHint")} error={err("ttl_s")} />
            </div>
          ) : null}
          {form.kind === "end_of_call" ? (
            <>
              <CheckboxField label={t("sendRecordings")} checked={form.sendRecordings} onChange={(e) => set("sendRecordings", e.target.checked)} />
              {form.sendRecordings ? (
                <SelectField
                  label={t("recordingFormat")}
                  value={form.recordingFormat}
                  hint={t("recordingFormatHint")}
                  onChange={(e) => set("recordingFormat", e.target.value as FormState["recordingFormat"])}
                >
                  <option value="wav">{t("recordingFormatWav")}</option>
                  <option value="mp3">{t("recordingFormatMp3")}</option>
                </SelectField>
              ) : null}
              <CheckboxField label={t("sendPartials")} checked={form.sendPartials} onChange={(e) => set("sendPartials", e.target.checked)} />
            </>
          ) : null}
          {form.kind === "event_hook" ? (
            <fieldset>
              <legend className="text-sm font-medium text-slate-700">{t("events")}</legend>
              {hookEventTypes.map((type) => (
                <CheckboxField
                  key={type}
                  label={t(`eventNames.${type.replace(".", "_")}`)}
                  checked={form.events.includes(type)}
                  onChange={(e) => set("events", e.target.checked ? [...form.events, type] : form.events.filter((x) => x !== type))}
                />
              ))}
              {err("events") ? <p className="text-sm text-red-600">{err("events")}</p> : null}
            </fieldset>
          ) : null}
        </Section>

        <Section title={t("sectionAuth")}>
          <SelectField label={t("authType")} value={form.authType} hint={t("authHint")} onChange={(e) => set("authType", e.target.value as FormState["authType"])}>
            {(["none", "basic", "bearer", "header"] as const).map((type) => (
              <option key={type} value={type}>
                {t(`authTypes.${type}`)}
              </option>
            ))}
          </SelectField>
          {form.authType === "basic" ? <TextField label={connector?.credentials.username?.[locale] ?? t("username")} value={form.username} autoComplete="off" onChange={(e) => set("username", e.target.value)} error={err("auth.username")} /> : null}
          {form.authType === "header" ? (
            <TextField label={t("authHeaderName")} value={form.authHeaderName} placeholder="X-Api-Key" onChange={(e) => set("authHeaderName", e.target.value)} error={err("auth.name")} />
          ) : null}
          {form.authType !== "none" ? (
            <TextField
              label={connector?.credentials.secret[locale] ?? t(form.authType === "basic" ? "password" : form.authType === "bearer" ? "token" : "authHeaderValue")}
              type="password"
              autoComplete="new-password"
              value={form.authSecret}
              placeholder={storedHint ?? ""}
              hint={storedHint ? t("secretKept", { hint: storedHint }) : t("secretEncrypted")}
              onChange={(e) => set("authSecret", e.target.value)}
              error={err("auth.password") ?? err("auth.token") ?? err("auth.value")}
            />
          ) : null}
          {secretIsTheCredential ? bodySecretField : null}
          <PairsEditor
            rows={form.headers}
            onChange={(rows) => set("headers", rows)}
            error={err("headers")}
            labels={{ title: t("headers"), name: t("headerName"), value: t("headerValue"), add: t("headerAdd"), namePlaceholder: "X-Tenant" }}
          />
        </Section>

        {form.kind === "data_lookup" ? (
          <UserMapEditor rows={form.userMap} onChange={(rows) => set("userMap", rows)} err={err} loadFrom={editing?.users_request ? editing.id : null} />
        ) : null}

        {technical(
          <>
            {form.kind === "data_lookup" ? (
              <>
                <MappingEditor form={form} set={set} err={err} />
                <StepsEditor form={form} set={set} err={err} />
              </>
            ) : (
              <RetryEditor form={form} set={set} err={err} />
            )}
            <Section title={t("sectionBody")}>
              <div className="space-y-1">
                <label htmlFor="body-template" className="block text-sm font-medium text-slate-700">
                  {t("bodyTemplate")}
                </label>
                <textarea
                  id="body-template"
                  rows={form.bodyTemplate ? 10 : 3}
                  className={textareaClass}
                  value={form.bodyTemplate}
                  placeholder={t("bodyTemplatePlaceholder")}
                  aria-invalid={Boolean(err("body_template"))}
                  onChange={(e) => set("bodyTemplate", e.target.value)}
                />
                {err("body_template") ? (
                  <p role="alert" className="text-sm text-red-600">
                    {err("body_template")}
                  </p>
                ) : (
                  <p className="text-xs text-slate-500">{t("bodyTemplateHint")}</p>
                )}
              </div>
              {secretIsTheCredential ? null : bodySecretField}
            </Section>
          </>,
        )}

        {errors._form ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {errorText(errors._form)}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onCancel}>
            {tc("cancel")}
          </Button>
          <Button type="submit" disabled={create.isPending || update.isPending}>
            {create.isPending || update.isPending ? tc("saving") : tc("save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-4 border-t border-slate-200 pt-4">
      <legend className="pr-2 text-sm font-semibold text-slate-900">{title}</legend>
      {children}
    </fieldset>
  );
}

function RadioGroup({ name, value, options, onChange }: { name: string; value: string; options: { value: string; label: string; hint?: string }[]; onChange: (value: string) => void }) {
  return (
    <div className="space-y-1">
      {options.map((option) => (
        <label key={option.value} className="flex items-start gap-2 text-sm text-slate-700">
          <input type="radio" name={name} value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} className="mt-0.5" />
          <span>
            {option.label}
            {option.hint && value === option.value ? <span className="block text-xs text-slate-500">{option.hint}</span> : null}
          </span>
        </label>
      ))}
    </div>
  );
}

interface PairsLabels {
  title: string;
  hint?: string;
  name: string;
  value: string;
  add: string;
  namePlaceholder?: string;
  valuePlaceholder?: string;
}

/** Editable name → value rows (extra headers, named fields). */
function PairsEditor({ rows, onChange, labels, error }: { rows: { name: string; value: string }[]; onChange: (rows: { name: string; value: string }[]) => void; labels: PairsLabels; error?: string }) {
  const t = useTranslations("integration.apis");
  const replace = (index: number, row: { name: string; value: string }) => onChange(rows.map((r, i) => (i === index ? row : r)));
  return (
    <div className="space-y-2">
      <p className="text-sm font-medium text-slate-700">{labels.title}</p>
      {labels.hint ? <p className="text-xs text-slate-500">{labels.hint}</p> : null}
      {rows.map((row, index) => (
        <div key={index} className="flex gap-2">
          <input aria-label={`${labels.name} ${index + 1}`} className={textareaClass} value={row.name} placeholder={labels.namePlaceholder} onChange={(e) => replace(index, { ...row, name: e.target.value })} />
          <input aria-label={`${labels.value} ${index + 1}`} className={textareaClass} value={row.value} placeholder={labels.valuePlaceholder} onChange={(e) => replace(index, { ...row, value: e.target.value })} />
          <Button variant="ghost" aria-label={`${t("remove")}: ${row.name || `${labels.name} ${index + 1}`}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            <X aria-hidden className="h-4 w-4" />
          </Button>
        </div>
      ))}
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : null}
      <Button variant="secondary" onClick={() => onChange([...rows, { name: "", value: "" }])}>
        <Plus aria-hidden className="h-4 w-4" />
        {labels.add}
      </Button>
    </div>
  );
}

const rowsOf = (fields: Record<string, string>) => Object.entries(fields).map(([name, path]) => ({ name, value: path }));
const fieldsOf = (rows: { name: string; value: string }[]) => Object.fromEntries(rows.filter((row) => row.name.trim()).map((row) => [row.name.trim(), row.value]));

/**
 * A response mapping's named fields (name → JSONPath). The rows live here
 * while they are typed (a blank or repeated name is not lost); the mapping
 * gets every named row, and the schema checks the names on save.
 */
function NamedFieldsEditor({ value, onChange, error, step }: { value: Record<string, string>; onChange: (fields: Record<string, string>) => void; error?: string; step?: number }) {
  const t = useTranslations("integration.apis");
  const [rows, setRows] = useState(() => rowsOf(value));
  // A change from outside (a preset, a removed step before this one) replaces the rows.
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (JSON.stringify(fieldsOf(rows)) !== JSON.stringify(value)) setRows(rowsOf(value));
  }
  const names = rows.map((row) => row.name.trim()).filter(Boolean);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  const update = (next: { name: string; value: string }[]) => {
    setRows(next);
    onChange(fieldsOf(next));
  };
  return (
    <PairsEditor
      rows={rows}
      onChange={update}
      error={repeated ? t("namedFieldRepeated", { name: repeated }) : error}
      labels={{
        title: step ? `${t("namedFields")} (${t("stepN", { n: step })})` : t("namedFields"),
        hint: t("namedFieldsHint"),
        name: step ? `${t("namedFieldName")} (${t("stepN", { n: step })})` : t("namedFieldName"),
        value: step ? `${t("namedFieldPath")} (${t("stepN", { n: step })})` : t("namedFieldPath"),
        add: t("namedFieldAdd"),
        namePlaceholder: "deal_id",
        valuePlaceholder: "$.Results.*.Id",
      }}
    />
  );
}

type SectionProps = { form: FormState; set: <K extends keyof FormState>(key: K, value: FormState[K]) => void; err: (path: string) => string | undefined };

function RetryEditor({ form, set, err }: SectionProps) {
  const t = useTranslations("integration.apis");
  return (
    <Section title={t("sectionRetry")}>
      <TextField label={t("retryCount")} inputMode="numeric" value={form.retryCount} onChange={(e) => set("retryCount", e.target.value)} error={err("retry.count")} />
      <div className="space-y-1">
        <p className="text-sm font-medium text-slate-700">{t("retryIntervals")}</p>
        <div className="flex flex-wrap items-center gap-2">
          {form.intervals.map((interval, index) => (
            <span key={index} className="inline-flex items-center rounded-md ring-1 ring-slate-300">
              <input
                aria-label={t("intervalN", { n: index + 1 })}
                className="w-16 rounded-l-md px-2 py-1 text-sm"
                value={interval}
                onChange={(e) => set("intervals", form.intervals.map((x, i) => (i === index ? e.target.value : x)))}
              />
              <button
                type="button"
                aria-label={`${t("remove")}: ${interval}`}
                className="px-1.5 text-slate-500 hover:text-red-600"
                onClick={() => set("intervals", form.intervals.filter((_, i) => i !== index))}
              >
                <X aria-hidden className="h-3.5 w-3.5" />
              </button>
            </span>
          ))}
          <Button variant="secondary" onClick={() => set("intervals", [...form.intervals, form.intervals.at(-1) ?? "1h"])}>
            <Plus aria-hidden className="h-4 w-4" />
            {t("intervalAdd")}
          </Button>
          <Button variant="ghost" onClick={() => set("intervals", defaultIntervals())}>
            <RotateCcw aria-hidden className="h-4 w-4" />
            {t("retryDefault")}
          </Button>
        </div>
        {err("retry.intervals_s") ? <p className="text-sm text-red-600">{err("retry.intervals_s")}</p> : <p className="text-xs text-slate-500">{t("retryHint")}</p>}
      </div>
    </Section>
  );
}

const SAMPLE_REPLY = '{\n  "extension": "102",\n  "contact": { "id": "42", "name": "Varga László", "company": "Varga Kft." },\n  "variables": { "vip": true }\n}';

function MappingEditor({ form, set, err }: SectionProps) {
  const t = useTranslations("integration.apis");
  const trpc = useTRPC();
  const [sample, setSample] = useState(SAMPLE_REPLY);
  const [debounced, setDebounced] = useState({ sample, mapping: form.mapping });
  useEffect(() => {
    const timer = setTimeout(() => setDebounced({ sample, mapping: form.mapping }), 250);
    return () => clearTimeout(timer);
  }, [sample, form.mapping]);
  const preview = useQuery({ ...trpc.integration.outboundApis.previewMapping.queryOptions(debounced), enabled: debounced.sample.trim() !== "" });
  const fields: Exclude<keyof ResponseMapping, "fields">[] = ["extension", "owner_user_id", "contact_id", "contact_name", "contact_company", "contact_url", "variables"];
  const result = preview.data?.result;
  return (
    <Section title={t("sectionMapping")}>
      <p className="text-xs text-slate-500">{t("mappingHint")}</p>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-2">
          {fields.map((field) => (
            <TextField
              key={field}
              label={t(`mapping.${field}`)}
              value={form.mapping[field]}
              className="font-mono"
              onChange={(e) => set("mapping", { ...form.mapping, [field]: e.target.value })}
              error={err(`response_mapping.${field}`) ?? result?.problems.find((p) => p.field === field)?.message}
            />
          ))}
          <NamedFieldsEditor value={form.mapping.fields} onChange={(fields) => set("mapping", { ...form.mapping, fields })} error={err("response_mapping.fields")} />
        </div>
        <div className="space-y-2">
          <label htmlFor="mapping-sample" className="block text-sm font-medium text-slate-700">
            {t("sample")}
          </label>
          <textarea id="mapping-sample" rows={8} className={textareaClass} value={sample} onChange={(e) => setSample(e.target.value)} />
          <div aria-live="polite" className="rounded-md bg-slate-50 p-3 text-sm" data-testid="mapping-preview">
            {preview.data && !preview.data.valid_json ? (
              <p className="text-red-600">{t("previewInvalid")}</p>
            ) : result ? (
              <>
                <p className="font-medium">{result.found ? t("previewFound") : t("previewNotFound")}</p>
                <pre className="mt-1 overflow-x-auto text-xs">{JSON.stringify({ extension: result.extension, contact: result.contact, variables: result.variables, fields: result.fields }, null, 2)}</pre>
              </>
            ) : (
              <p className="text-slate-500">{t("previewEmpty")}</p>
            )}
          </div>
        </div>
      </div>
      <RadioGroup
        name="fallback"
        value={form.fallbackBranch}
        onChange={(value) => set("fallbackBranch", value as FormState["fallbackBranch"])}
        options={[
          { value: "error", label: t("fallbackError") },
          { value: "not_found", label: t("fallbackNotFound") },
        ]}
      />
      {form.fallbackBranch === "not_found" ? (
        <TextField
          label={t("fallbackVariables")}
          value={form.fallbackVariables.map((v) => `${v.name}=${v.value}`).join(", ")}
          placeholder="crm_down=1"
          hint={t("fallbackVariablesHint")}
          error={err("fallback.variables")}
          onChange={(e) =>
            set(
              "fallbackVariables",
              e.target.value
                .split(",")
                .map((pair) => pair.split("="))
                .filter((pair) => pair[0]?.trim())
                .map(([name, ...value]) => ({ name: name.trim(), value: value.join("=").trim() })),
            )
          }
        />
      ) : null}
    </Section>
  );
}

type UserMapRow = FormState["userMap"][number];

/** CRM user → extension: whom a look-up's `owner_user_id` rings. */
function UserMapEditor({
  rows,
  onChange,
  err,
  loadFrom,
}: {
  rows: UserMapRow[];
  onChange: (rows: UserMapRow[]) => void;
  err: (path: string) => string | undefined;
  /** The saved API whose users request fills the table (its credentials are needed, so only once saved). */
  loadFrom: string | null;
}) {
  const t = useTranslations("integration.apis");
  const locale = useLocale() === "hu" ? "hu" : "en";
  const trpc = useTRPC();
  const load = useMutation(trpc.integration.outboundApis.loadUsers.mutationOptions());
  const [loadNote, setLoadNote] = useState<{ ok: boolean; text: string } | null>(null);
  const replace = (index: number, row: UserMapRow) => onChange(rows.map((r, i) => (i === index ? row : r)));

  async function loadUsers(id: string) {
    setLoadNote(null);
    const result = await load.mutateAsync({ id });
    if (result.error) return setLoadNote({ ok: false, text: result.crm_message?.[locale] ?? result.error.message });
    const known = new Set(rows.map((row) => row.crm_user_id));
    const added = result.users.filter((user) => !known.has(user.crm_user_id)).map((user) => ({ ...user, extension: "" }));
    onChange([...rows, ...added]);
    setLoadNote({ ok: true, text: t("userMapLoaded", { count: added.length }) });
  }

  return (
    <Section title={t("userMap")}>
      <p className="text-xs text-slate-500">{t("userMapHint")}</p>
      {rows.length > 0 ? (
        <table className="w-full text-sm" data-testid="user-map">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="pb-1 font-medium">{t("userMapUserId")}</th>
              <th className="pb-1 font-medium">{t("userMapUserName")}</th>
              <th className="pb-1 font-medium">{t("userMapExtension")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index}>
                <td className="pr-2 pb-2">
                  <input aria-label={`${t("userMapUserId")} ${index + 1}`} className={textareaClass} value={row.crm_user_id} onChange={(e) => replace(index, { ...row, crm_user_id: e.target.value })} />
                  {err(`user_map.${index}.crm_user_id`) ? <p className="text-xs text-red-600">{err(`user_map.${index}.crm_user_id`)}</p> : null}
                </td>
                <td className="pr-2 pb-2">
                  <input aria-label={`${t("userMapUserName")} ${index + 1}`} className={textareaClass} value={row.crm_user_name} onChange={(e) => replace(index, { ...row, crm_user_name: e.target.value })} />
                </td>
                <td className="pr-2 pb-2">
                  <input aria-label={`${t("userMapExtension")} ${index + 1}`} inputMode="numeric" className={textareaClass} value={row.extension} onChange={(e) => replace(index, { ...row, extension: e.target.value })} />
                  {err(`user_map.${index}.extension`) ? <p className="text-xs text-red-600">{err(`user_map.${index}.extension`)}</p> : null}
                </td>
                <td className="pb-2">
                  <Button variant="ghost" aria-label={`${t("remove")}: ${row.crm_user_name || row.crm_user_id}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                    <X aria-hidden className="h-4 w-4" />
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {err("user_map") ? <p className="text-sm text-red-600">{err("user_map")}</p> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" onClick={() => onChange([...rows, { crm_user_id: "", crm_user_name: "", extension: "" }])}>
          <Plus aria-hidden className="h-4 w-4" />
          {t("userMapAdd")}
        </Button>
        {loadFrom ? (
          <Button variant="secondary" disabled={load.isPending} onClick={() => void loadUsers(loadFrom).catch(() => setLoadNote({ ok: false, text: t("userMapLoadFailed") }))}>
            <Download aria-hidden className="h-4 w-4" />
            {t("userMapLoad")}
          </Button>
        ) : null}
        {loadNote ? (
          <p role={loadNote.ok ? "status" : "alert"} className={loadNote.ok ? "text-sm text-slate-600" : "text-sm text-red-600"}>
            {loadNote.text}
          </p>
        ) : null}
      </div>
    </Section>
  );
}

const stepMappingFields = ["owner_user_id", "extension", "contact_id", "contact_name"] as const;

/** The look-up's further requests: each reads the earlier ones' values as {{ fields.<name> }}. */
function StepsEditor({ form, set, err }: SectionProps) {
  const t = useTranslations("integration.apis");
  const replace = (index: number, step: FormState["nextSteps"][number]) => set("nextSteps", form.nextSteps.map((s, i) => (i === index ? step : s)));
  return (
    <Section title={t("steps")}>
      <p className="text-xs text-slate-500">{t("stepsHint")}</p>
      {form.nextSteps.map((step, index) => (
        <div key={index} className="space-y-2 rounded-md p-3 ring-1 ring-slate-200">
          <div className="flex items-center justify-between">
            <p className="text-sm font-medium text-slate-700">{t("stepN", { n: index + 2 })}</p>
            <Button variant="ghost" aria-label={`${t("remove")}: ${t("stepN", { n: index + 2 })}`} onClick={() => set("nextSteps", form.nextSteps.filter((_, i) => i !== index))}>
              <X aria-hidden className="h-4 w-4" />
            </Button>
          </div>
          <div className="grid grid-cols-[8rem_1fr] gap-2">
            <SelectField label={t("method")} value={step.method} onChange={(e) => replace(index, { ...step, method: e.target.value as typeof step.method })}>
              {["GET", "POST", "PUT", "PATCH"].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </SelectField>
            <TextField label={t("stepUrl", { n: index + 2 })} className="font-mono" value={step.url} onChange={(e) => replace(index, { ...step, url: e.target.value })} error={err(`next_steps.${index}.url`)} />
          </div>
          <div className="grid gap-2 md:grid-cols-2">
            {stepMappingFields.map((field) => (
              <TextField
                key={field}
                label={`${t(`mapping.${field}`)} (${t("stepN", { n: index + 2 })})`}
                className="font-mono"
                value={step.response_mapping[field]}
                onChange={(e) => replace(index, { ...step, response_mapping: { ...step.response_mapping, [field]: e.target.value } })}
                error={err(`next_steps.${index}.response_mapping.${field}`)}
              />
            ))}
          </div>
          {step.method === "GET" ? null : (
            <div className="space-y-1">
              <label htmlFor={`step-body-${index}`} className="block text-sm font-medium text-slate-700">
                {`${t("bodyTemplate")} (${t("stepN", { n: index + 2 })})`}
              </label>
              <textarea
                id={`step-body-${index}`}
                rows={4}
                className={textareaClass}
                value={step.body_template ?? ""}
                placeholder={t("stepBodyPlaceholder")}
                aria-invalid={Boolean(err(`next_steps.${index}.body_template`))}
                onChange={(e) => replace(index, { ...step, body_template: e.target.value.trim() === "" ? null : e.target.value })}
              />
              {err(`next_steps.${index}.body_template`) ? (
                <p role="alert" className="text-sm text-red-600">
                  {err(`next_steps.${index}.body_template`)}
                </p>
              ) : null}
            </div>
          )}
          <NamedFieldsEditor
            step={index + 2}
            value={step.response_mapping.fields}
            onChange={(fields) => replace(index, { ...step, response_mapping: { ...step.response_mapping, fields } })}
            error={err(`next_steps.${index}.response_mapping.fields`)}
          />
        </div>
      ))}
      {form.nextSteps.length < MAX_LOOKUP_STEPS - 1 ? (
        <Button
          variant="secondary"
          onClick={() =>
            set("nextSteps", [
              ...form.nextSteps,
              { method: "GET", url: "", body_template: null, response_mapping: { extension: "", contact_id: "", contact_name: "", contact_company: "", contact_url: "", variables: "", owner_user_id: "", fields: {} } },
            ])
          }
        >
          <Plus aria-hidden className="h-4 w-4" />
          {t("stepAdd")}
        </Button>
      ) : null}
      {err("next_steps") ? <p className="text-sm text-red-600">{err("next_steps")}</p> : null}
    </Section>
  );
}
