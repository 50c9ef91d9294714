"use client";
import { useMemo, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Download } from "lucide-react";
import { toCsv } from "@/lib/csv";
import type { AgentStatusTimes, DailyStatusReport } from "@/server/services/callCentre";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { Card } from "../ui/PageHeader";
import { FormError } from "../directory/bits";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";
import { usePauseReasonText } from "./AgentBoard";
import { addDays, formatDuration, hours, localDay } from "./format";

const states = [
  { key: "available_s", color: "#10b981" },
  { key: "on_call_s", color: "#0ea5e9" },
  { key: "wrap_up_s", color: "#8b5cf6" },
  { key: "paused_s", color: "#f59e0b" },
] as const;

function downloadCsv(report: DailyStatusReport, header: string[]) {
  const rows = report.days.flatMap((day) =>
    day.items.map((item) => [
      day.day,
      item.name,
      item.agent_id,
      item.logged_in_s,
      item.available_s,
      item.on_call_s,
      item.wrap_up_s,
      item.paused_s,
      Object.entries(item.paused_by_reason)
        .map(([reason, seconds]) => `${reason}=${seconds}`)
        .join("; "),
      item.answered_calls,
    ]),
  );
  const blob = new Blob(["\uFEFF" + toCsv([header, ...rows])], { type: "text/csv;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `agent-status-times-${report.days[0]?.day ?? ""}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}

/**
 * Time in state per agent and day (the viewer's calendar days): stacked bars
 * per day, totals per agent, CSV with one row per agent and day. The numbers
 * come from the same service function as `GET /api/v1/agents/status-times`.
 */
export function StatusReport({ isAdmin }: { isAdmin: boolean }) {
  const t = useTranslations("operations.callCentre.report");
  const tStatus = useTranslations("operations.callCentre.status");
  const locale = useLocale();
  const errorText = useErrorText();
  const reasonText = usePauseReasonText();
  const trpc = useTRPC();
  const today = localDay();
  const [fromDay, setFromDay] = useState(addDays(today, -6));
  const [untilDay, setUntilDay] = useState(today);
  const [agentId, setAgentId] = useState("");
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const board = useQuery({ ...trpc.callCentre.board.queryOptions(), enabled: isAdmin });
  const report = useQuery({
    ...trpc.callCentre.report.queryOptions({ fromDay, untilDay, timeZone, ...(agentId ? { agent_id: agentId } : {}) }),
    placeholderData: keepPreviousData,
    enabled: fromDay <= untilDay,
  });

  const chartData = useMemo(
    () =>
      report.data?.days.map((day) => ({
        day: new Date(`${day.day}T12:00:00Z`).toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: "UTC" }),
        ...Object.fromEntries(states.map(({ key }) => [key, hours(day.items.reduce((sum, item) => sum + item[key], 0))])),
      })) ?? [],
    [report.data, locale],
  );
  const csvHeader = [t("csv.day"), t("csv.agent"), "agent_id", "logged_in_s", "available_s", "on_call_s", "wrap_up_s", "paused_s", "paused_by_reason", "answered_calls"];
  const number = (value: number) => value.toLocaleString(locale, { maximumFractionDigits: 1 });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="report-from" className="block text-sm font-medium text-slate-700">
            {t("from")}
          </label>
          <input id="report-from" type="date" value={fromDay} max={untilDay} onChange={(e) => e.target.value && setFromDay(e.target.value)} className="mt-1 rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300" />
        </div>
        <div>
          <label htmlFor="report-until" className="block text-sm font-medium text-slate-700">
            {t("until")}
          </label>
          <input id="report-until" type="date" value={untilDay} min={fromDay} onChange={(e) => e.target.value && setUntilDay(e.target.value)} className="mt-1 rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300" />
        </div>
        {isAdmin ? (
          <div>
            <label htmlFor="report-agent" className="block text-sm font-medium text-slate-700">
              {t("agent")}
            </label>
            <select id="report-agent" value={agentId} onChange={(e) => setAgentId(e.target.value)} className="mt-1 rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300">
              <option value="">{t("allAgents")}</option>
              {board.data?.agents.map((a) => (
                <option key={a.agent_id} value={a.agent_id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <Button variant="secondary" className="ml-auto" disabled={!report.data} onClick={() => report.data && downloadCsv(report.data, csvHeader)}>
          <Download aria-hidden className="h-4 w-4" />
          {t("exportCsv")}
        </Button>
      </div>
      <FormError message={report.error ? errorText(fieldErrorsFromServer(report.error)._form ?? Object.values(fieldErrorsFromServer(report.error))[0]) : undefined} />
      <Card className="p-4">
        <h2 className="mb-2 text-sm font-semibold text-slate-800">{t("chartTitle")}</h2>
        <div className="h-64 overflow-hidden" role="img" aria-label={t("chartLabel")}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chartData} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tick={{ fontSize: 12 }} />
              <YAxis tick={{ fontSize: 12 }} tickFormatter={(value) => `${value} ${t("hoursUnit")}`} width={48} />
              <Tooltip formatter={(value) => `${number(Number(value))} ${t("hoursUnit")}`} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {states.map(({ key, color }) => (
                <Bar key={key} dataKey={key} name={tStatus(key.replace(/_s$/, ""))} stackId="time" fill={color} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      </Card>
      <TotalsTable items={report.data?.totals} reasonText={reasonText} />
      {isAdmin && report.data ? (
        <p className="text-xs text-slate-500">
          {t("apiHint")} <code className="break-all">{`GET /api/v1/agents/status-times?from=${report.data.from}&until=${report.data.until}`}</code>
        </p>
      ) : null}
    </div>
  );
}

function TotalsTable({ items, reasonText }: { items: AgentStatusTimes[] | undefined; reasonText: (reason: string | null) => string | null }) {
  const t = useTranslations("operations.callCentre.report");
  const tCommon = useTranslations("common");
  const headers = [t("agent"), t("loggedIn"), t("available"), t("onCall"), t("wrapUp"), t("paused"), t("pausedByReason"), t("answeredCalls")];
  return (
    <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label={t("totalsLabel")}>
        <thead className="bg-slate-50">
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col" className="px-4 py-3 text-left font-medium text-slate-600">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items === undefined ? (
            <tr>
              <td colSpan={headers.length} className="px-4 py-6 text-left text-slate-500 md:text-center">
                {tCommon("loading")}
              </td>
            </tr>
          ) : (
            items.map((item) => (
              <tr key={item.agent_id}>
                <td className="px-4 py-3 font-medium text-slate-900">{item.name}</td>
                {[item.logged_in_s, item.available_s, item.on_call_s, item.wrap_up_s, item.paused_s].map((seconds, i) => (
                  <td key={i} className="px-4 py-3 tabular-nums">
                    {formatDuration(seconds)}
                  </td>
                ))}
                <td className="px-4 py-3 text-xs text-slate-600">
                  {Object.entries(item.paused_by_reason)
                    .map(([reason, seconds]) => `${reason === "unspecified" ? t("noReason") : reasonText(reason)}: ${formatDuration(seconds)}`)
                    .join(", ") || "—"}
                </td>
                <td className="px-4 py-3 tabular-nums">{item.answered_calls}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
