"use client";
import { Fragment, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ChevronDown, ChevronRight, Clapperboard, ListTree } from "lucide-react";
import { cdrDirections, cdrDispositions } from "@/lib/schemas/operations";
import type { Cdr } from "@/server/pbx/cdr";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { FormError } from "../directory/bits";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";
import { formatDuration } from "./format";
import { numberText, Party } from "./LiveCalls";
import { TraceDialog } from "./TraceDialog";

const pageSize = 25;

export const dispositionStyles: Record<Cdr["disposition"], string> = {
  answered: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  voicemail: "bg-violet-50 text-violet-700 ring-violet-200",
  no_answer: "bg-amber-50 text-amber-800 ring-amber-200",
  busy: "bg-amber-50 text-amber-800 ring-amber-200",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
};

/** Midnight at the start of a browser-local calendar day (plus some days), as an ISO instant. */
function localMidnight(day: string, plusDays = 0): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year, month - 1, date + plusDays).toISOString();
}

/** Who took the call (or, unanswered, who was asked for). */
export function targetText(cdr: Cdr): string {
  if (cdr.answered_by) return cdr.answered_by.extension ?? numberText(cdr.answered_by.number);
  return cdr.requested.extension ?? cdr.requested.extensions?.join(", ") ?? numberText(cdr.requested.number ?? cdr.called_number);
}

/** Finished calls from the CDRs, newest first, each with its legs, recordings and (when a flow ran) its steps. */
export function CallHistory({ canReplay = false }: { canReplay?: boolean }) {
  const t = useTranslations("operations.calls");
  const locale = useLocale();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const [filters, setFilters] = useState({ fromDay: "", untilDay: "", extension: "", direction: "", disposition: "" });
  const [expanded, setExpanded] = useState<string | null>(null);
  const [traceOf, setTraceOf] = useState<string | null>(null);
  const input = {
    limit: pageSize,
    ...(filters.fromDay ? { from: localMidnight(filters.fromDay) } : {}),
    // The until day is included: the window ends at the next local midnight.
    ...(filters.untilDay ? { until: localMidnight(filters.untilDay, 1) } : {}),
    ...(/^\d{2,6}$/.test(filters.extension) ? { extension: filters.extension } : {}),
    ...(filters.direction ? { callDirection: filters.direction as Cdr["direction"] } : {}),
    ...(filters.disposition ? { disposition: filters.disposition as Cdr["disposition"] } : {}),
  };
  const history = useInfiniteQuery(
    trpc.calls.history.infiniteQueryOptions(input, { getNextPageParam: (page) => page.next_cursor ?? undefined, refetchInterval: 10_000 }),
  );
  const pages = history.data?.pages ?? [];
  const rows = pages.flatMap((p) => p.items);
  const traced = new Set(pages.flatMap((p) => p.tracedCallIds));
  const replayFlows: Record<string, string> = Object.assign({}, ...pages.map((p) => p.replayFlows));
  const set = (key: keyof typeof filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const control = "mt-1 block rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300";

  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title" className="mb-2 text-lg font-semibold text-slate-900">
        {t("historyTitle")}
      </h2>
      <form className="mb-3 flex flex-wrap items-end gap-3" role="search" aria-label={t("filters")} onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="history-from" className="block text-xs font-medium text-slate-600">
            {t("from")}
          </label>
          <input id="history-from" type="date" value={filters.fromDay} onChange={(e) => set("fromDay")(e.target.value)} className={control} />
        </div>
        <div>
          <label htmlFor="history-until" className="block text-xs font-medium text-slate-600">
            {t("until")}
          </label>
          <input id="history-until" type="date" value={filters.untilDay} onChange={(e) => set("untilDay")(e.target.value)} className={control} />
        </div>
        <div>
          <label htmlFor="history-extension" className="block text-xs font-medium text-slate-600">
            {t("extension")}
          </label>
          <input id="history-extension" inputMode="numeric" value={filters.extension} onChange={(e) => set("extension")(e.target.value.trim())} className={`${control} w-24`} />
        </div>
        <div>
          <label htmlFor="history-direction" className="block text-xs font-medium text-slate-600">
            {t("direction")}
          </label>
          <select id="history-direction" value={filters.direction} onChange={(e) => set("direction")(e.target.value)} className={control}>
            <option value="">{t("any")}</option>
            {cdrDirections.map((d) => (
              <option key={d} value={d}>
                {t(`directions.${d}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="history-disposition" className="block text-xs font-medium text-slate-600">
            {t("disposition")}
          </label>
          <select id="history-disposition" value={filters.disposition} onChange={(e) => set("disposition")(e.target.value)} className={control}>
            <option value="">{t("any")}</option>
            {cdrDispositions.map((d) => (
              <option key={d} value={d}>
                {t(`dispositions.${d}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <FormError message={history.error ? errorText(Object.values(fieldErrorsFromServer(history.error))[0]) : undefined} />
      <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="history-title">
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className="w-8 px-2 py-2.5">
                <span className="sr-only">{t("legs")}</span>
              </th>
              {[t("started"), t("direction"), t("caller"), t("callee"), t("disposition"), t("duration"), t("recording")].map((header) => (
                <th key={header} scope="col" className="px-3 py-2.5 text-left font-medium text-slate-600">
                  {header}
                </th>
              ))}
              <th scope="col" className="px-3 py-2.5">
                <span className="sr-only">{t("trace.title")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {history.isPending ? (
              <tr>
                <td colSpan={9} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {t("loading")}
                </td>
              </tr>
            ) : rows.length === 0 ? (
              <tr>
                <td colSpan={9} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {t("historyEmpty")}
                </td>
              </tr>
            ) : (
              rows.map((cdr) => {
                const legs = [...(cdr.legs ?? []), cdr];
                const open = expanded === cdr.cdr_id;
                return (
                  <Fragment key={cdr.cdr_id}>
                    <tr data-call={cdr.call_id}>
                      <td className="px-2 py-2">
                        {legs.length > 1 ? (
                          <button
                            type="button"
                            onClick={() => setExpanded(open ? null : cdr.cdr_id)}
                            aria-expanded={open}
                            aria-label={t("showLegs", { count: legs.length })}
                            className="rounded p-1 text-slate-500 hover:bg-slate-100"
                          >
                            {open ? <ChevronDown aria-hidden className="h-4 w-4" /> : <ChevronRight aria-hidden className="h-4 w-4" />}
                          </button>
                        ) : null}
                      </td>
                      <td className="px-3 py-2 whitespace-nowrap">
                        <time dateTime={cdr.started_at}>{new Date(cdr.started_at).toLocaleString(locale, { dateStyle: "short", timeStyle: "medium" })}</time>
                      </td>
                      <td className="px-3 py-2">{t(`directions.${cdr.direction}`)}</td>
                      <td className="px-3 py-2">
                        <Party party={cdr.caller} />
                      </td>
                      <td className="px-3 py-2 whitespace-nowrap">
                        {targetText(cdr)}
                        {cdr.forwarded_from ? <div className="text-xs text-slate-500">{t("forwardedFrom", { extension: cdr.forwarded_from.extension })}</div> : null}
                      </td>
                      <td className="px-3 py-2">
                        <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ${dispositionStyles[cdr.disposition]}`}>{t(`dispositions.${cdr.disposition}`)}</span>
                      </td>
                      <td className="px-3 py-2 tabular-nums" title={t("talkTime", { time: formatDuration(cdr.talk_time_s) })}>
                        {formatDuration(cdr.duration_s)}
                      </td>
                      <td className="px-3 py-2">
                        {cdr.recordings.map((recording) => (
                          // Served by the portal's recording route (/api/recordings/{code}).
                          <audio key={recording.code} controls preload="none" src={`/api/recordings/${recording.code}`} aria-label={t("recordingOf", { time: new Date(cdr.started_at).toLocaleString(locale) })} className="h-8 w-56" />
                        ))}
                      </td>
                      <td className="px-3 py-2 text-right whitespace-nowrap">
                        {canReplay && replayFlows[cdr.call_id] ? (
                          <Link
                            href={`/flows/${encodeURIComponent(replayFlows[cdr.call_id])}?replay=${encodeURIComponent(cdr.call_id)}`}
                            aria-label={t("trace.replay")}
                            title={t("trace.replay")}
                            className="inline-flex rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
                          >
                            <Clapperboard aria-hidden className="h-4 w-4" />
                          </Link>
                        ) : null}
                        {traced.has(cdr.call_id) ? (
                          <button
                            type="button"
                            onClick={() => setTraceOf(cdr.call_id)}
                            aria-label={t("showTrace")}
                            title={t("showTrace")}
                            className="rounded-md p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
                          >
                            <ListTree aria-hidden className="h-4 w-4" />
                          </button>
                        ) : null}
                      </td>
                    </tr>
                    {open ? (
                      <tr className="bg-slate-50/60">
                        <td />
                        <td colSpan={8} className="px-3 py-2">
                          <ol className="space-y-1 text-xs text-slate-700">
                            {legs.map((leg) => (
                              <li key={leg.leg_id} className="flex flex-wrap gap-x-4">
                                <span className="font-medium">{t("legNumber", { sequence: leg.sequence })}</span>
                                <span>{t("legTarget", { target: targetText(leg) })}</span>
                                <span>{t(`dispositions.${leg.disposition}`)}</span>
                                <span>{t(`legEnd.${leg.leg_end_reason}`)}</span>
                                {leg.transferred_by ? <span>{t("transferredBy", { extension: leg.transferred_by.extension ?? leg.transferred_by.number })}</span> : null}
                                <span className="tabular-nums text-slate-500">{formatDuration(leg.duration_s)}</span>
                              </li>
                            ))}
                          </ol>
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      {history.hasNextPage ? (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" onClick={() => history.fetchNextPage()} disabled={history.isFetchingNextPage}>
            {t("loadMore")}
          </Button>
        </div>
      ) : null}
      <TraceDialog callId={traceOf} onClose={() => setTraceOf(null)} canReplay={canReplay} />
    </section>
  );
}
