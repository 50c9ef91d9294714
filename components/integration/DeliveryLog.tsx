"use client";
import { Fragment, useState } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, RefreshCw } from "lucide-react";
import type { DeliveryStatus } from "@/server/db/schema";
import type { DeliveryView } from "@/server/services/deliveries";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { SelectField, TextField } from "../ui/Field";
import { Badge, errorsFromServer, useErrorClassText, useFieldErrorText, useWhen, type FieldErrors } from "./shared";

const PAGE = 50;
const statuses: DeliveryStatus[] = ["pending", "in_flight", "succeeded", "failed", "dead", "expired"];
const tones: Record<DeliveryStatus, "green" | "red" | "amber" | "slate" | "blue"> = {
  pending: "amber",
  in_flight: "blue",
  succeeded: "green",
  failed: "red",
  dead: "red",
  expired: "slate",
};
const eventTypes = ["call.ended", "call.incoming", "call.lookup", "agent.state_changed", "call.answered", "call.transferred", "voicemail.left"];

/** Local date-time input value → ISO (the input has no time zone; the browser's is meant). */
const isoFromLocal = (value: string) => (value ? new Date(value).toISOString() : undefined);

/** Also the initial filter: `/api-access?tab=log&api=…&status=…` opens one hook's failed deliveries (the overview links there). */
export type DeliveryLogFilter = { outbound_api_id?: string; status?: DeliveryStatus; event_type?: string; since?: string };

/** Messages per endpoint with their attempts, filters, resend (one, or every failure since a time). */
export function DeliveryLog({ initialFilter = {} }: { initialFilter?: DeliveryLogFilter }) {
  const t = useTranslations("integration.log");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const when = useWhen();
  const errorClassText = useErrorClassText();
  const errorText = useFieldErrorText();
  const [filter, setFilter] = useState<DeliveryLogFilter>(initialFilter);
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const [resendSince, setResendSince] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const apis = useQuery(trpc.integration.outboundApis.list.queryOptions());
  const log = useQuery({ ...trpc.integration.deliveries.list.queryOptions({ ...filter, limit: PAGE, offset }), refetchInterval: 5_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.integration.deliveries.pathKey() });
  const resend = useMutation(trpc.integration.deliveries.resend.mutationOptions({ onSuccess: refresh }));
  const resendAll = useMutation(trpc.integration.deliveries.resendFailedSince.mutationOptions({ onSuccess: refresh }));
  const update = (patch: Partial<typeof filter>) => {
    setOffset(0);
    setFilter((current) => ({ ...current, ...patch }));
  };

  async function onResendAll() {
    const since = isoFromLocal(resendSince);
    if (!since) return setErrors({ since: { key: "errors.required" } });
    try {
      const { resent } = await resendAll.mutateAsync({ since, outbound_api_id: filter.outbound_api_id });
      setErrors({});
      setNotice(t("resentCount", { count: resent }));
    } catch (error) {
      setErrors(errorsFromServer(error));
    }
  }

  return (
    <section aria-labelledby="delivery-log-title" className="space-y-4">
      <div>
        <h2 id="delivery-log-title" className="text-lg font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="max-w-3xl text-sm text-slate-600">{t("intro")}</p>
      </div>
      <div className="grid gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-4">
        <SelectField label={t("endpoint")} value={filter.outbound_api_id ?? ""} onChange={(e) => update({ outbound_api_id: e.target.value || undefined })}>
          <option value="">{t("allEndpoints")}</option>
          {apis.data?.map((api) => (
            <option key={api.id} value={api.id}>
              {api.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("status")} value={filter.status ?? ""} onChange={(e) => update({ status: (e.target.value || undefined) as DeliveryStatus | undefined })}>
          <option value="">{t("allStatuses")}</option>
          {statuses.map((status) => (
            <option key={status} value={status}>
              {t(`statuses.${status}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("event")} value={filter.event_type ?? ""} onChange={(e) => update({ event_type: e.target.value || undefined })}>
          <option value="">{t("allEvents")}</option>
          {eventTypes.map((type) => (
            <option key={type}>{type}</option>
          ))}
        </SelectField>
        <TextField label={t("since")} type="datetime-local" onChange={(e) => update({ since: isoFromLocal(e.target.value) })} />
      </div>

      <div className="flex flex-wrap items-end gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <div className="w-64">
          <TextField label={t("resendSince")} type="datetime-local" value={resendSince} onChange={(e) => setResendSince(e.target.value)} error={errorText(errors.since)} />
        </div>
        <Button variant="secondary" onClick={() => void onResendAll()} disabled={resendAll.isPending}>
          <RefreshCw aria-hidden className="h-4 w-4" />
          {filter.outbound_api_id ? t("resendAllOfEndpoint") : t("resendAll")}
        </Button>
        {notice ? (
          <p role="status" className="text-sm text-slate-600">
            {notice}
          </p>
        ) : null}
        {errors._form ? <p className="text-sm text-red-600">{errorText(errors._form)}</p> : null}
      </div>

      <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              <th className="w-8 px-2 py-3">
                <span className="sr-only">{t("details")}</span>
              </th>
              {[t("created"), t("endpoint"), t("event"), t("status"), t("attempts"), t("lastError")].map((header) => (
                <th key={header} scope="col" className="px-3 py-3 font-medium">
                  {header}
                </th>
              ))}
              <th className="px-3 py-3">
                <span className="sr-only">{tc("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {log.data === undefined ? (
              <tr>
                <td colSpan={8} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {tc("loading")}
                </td>
              </tr>
            ) : log.data.items.length === 0 ? (
              <tr>
                <td colSpan={8} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {t("empty")}
                </td>
              </tr>
            ) : (
              log.data.items.map((delivery) => (
                <Fragment key={delivery.id}>
                  <tr className="align-top">
                    <td className="px-2 py-2">
                      <button
                        type="button"
                        aria-expanded={open === delivery.id}
                        aria-label={`${t("details")}: ${delivery.message_id}`}
                        className="rounded p-1 text-slate-500 hover:bg-slate-100"
                        onClick={() => setOpen(open === delivery.id ? null : delivery.id)}
                      >
                        {open === delivery.id ? <ChevronDown aria-hidden className="h-4 w-4" /> : <ChevronRight aria-hidden className="h-4 w-4" />}
                      </button>
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{when(delivery.created_at)}</td>
                    <td className="px-3 py-2">{delivery.outbound_api_name}</td>
                    <td className="px-3 py-2 font-mono text-xs">{delivery.event_type}</td>
                    <td className="px-3 py-2">
                      <Badge tone={tones[delivery.status]}>{t(`statuses.${delivery.status}`)}</Badge>
                      {delivery.next_attempt_at && delivery.attempt_count > 0 ? <span className="block text-xs text-slate-500">{t("nextAttempt", { time: when(delivery.next_attempt_at) })}</span> : null}
                    </td>
                    <td className="px-3 py-2">{delivery.attempt_count}</td>
                    <td className="px-3 py-2 text-xs text-slate-600">
                      {delivery.last_error_class ? errorClassText(delivery.last_error_class) : ""}
                      {delivery.last_status_code ? ` (HTTP ${delivery.last_status_code})` : ""}
                    </td>
                    <td className="px-3 py-2 text-right">
                      {canResend(delivery) ? (
                        <Button variant="ghost" onClick={() => resend.mutate({ id: delivery.id })} aria-label={`${t("resend")}: ${delivery.message_id}`}>
                          <RefreshCw aria-hidden className="h-4 w-4" />
                          {t("resend")}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                  {open === delivery.id ? (
                    <tr>
                      <td colSpan={8} className="bg-slate-50 px-6 py-3">
                        <Attempts delivery={delivery} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))
            )}
          </tbody>
        </table>
      </div>
      {log.data && log.data.total > PAGE ? (
        <div className="flex items-center justify-between text-sm text-slate-600">
          <span>{t("page", { from: offset + 1, to: Math.min(offset + PAGE, log.data.total), total: log.data.total })}</span>
          <div className="flex gap-2">
            <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t("previous")}
            </Button>
            <Button variant="secondary" disabled={offset + PAGE >= log.data.total} onClick={() => setOffset(offset + PAGE)}>
              {t("next")}
            </Button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

const canResend = (delivery: DeliveryView) => delivery.event_type !== "call.lookup" && ["dead", "expired", "succeeded"].includes(delivery.status);

function Attempts({ delivery }: { delivery: DeliveryView }) {
  const t = useTranslations("integration.log");
  const when = useWhen();
  const errorClassText = useErrorClassText();
  return (
    <div className="space-y-2 text-xs">
      <p>
        {t("webhookId")}: <code className="font-mono">{delivery.message_id}</code>
        {delivery.conversation_id ? (
          <>
            {" · "}
            {t("conversation")}: <code className="font-mono">{delivery.conversation_id}</code>
          </>
        ) : null}
      </p>
      {delivery.attempts.length === 0 ? <p className="text-slate-500">{t("noAttempts")}</p> : null}
      {delivery.attempts.map((attempt, index) => (
        <div key={index} className="rounded-md bg-white p-2 ring-1 ring-slate-200">
          <p className="font-medium text-slate-700">
            {t("attemptLine", { n: attempt.attempt, time: when(attempt.at), ms: attempt.latency_ms })}
            {attempt.status_code ? ` · HTTP ${attempt.status_code}` : ""}
            {attempt.error_class ? ` · ${errorClassText(attempt.error_class)}` : ""}
          </p>
          {attempt.error ? <p className="font-mono text-red-700">{attempt.error}</p> : null}
          {attempt.response_body ? <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap text-slate-600">{attempt.response_body}</pre> : null}
        </div>
      ))}
    </div>
  );
}
