"use client";
import { useMemo } from "react";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ArrowRight, CircleAlert, CircleCheck, CirclePause, CircleSlash } from "lucide-react";
import type { ActivityOverview, CallCounts, HookStatus } from "@/server/services/overview";
import { useTRPC } from "../trpc";
import { Card } from "../ui/PageHeader";
import { agentStatusStyles } from "../operations/AgentBoard";
import { dispositionStyles, targetText } from "../operations/CallHistory";
import { numberText, Party } from "../operations/LiveCalls";
import { useErrorClassText, useWhen } from "../integration/shared";

/**
 * Refetched every 5 s rather than pushed over SSE like the agent board: the
 * overview mixes three sources (CDRs written by the runtime, deliveries the
 * worker settles in batches, breakers that reopen by the clock) and only the
 * agents have an event bus. One poll of a few indexed aggregates is cheap,
 * and 5 s is well inside "did my last call arrive?".
 */
const REFRESH_MS = 5_000;

const answeredColor = "#059669"; // emerald-600
const missedColor = "#d97706"; // amber-600

function SectionTitle({ title, link }: { title: string; link?: { href: string; text: string } }) {
  return (
    <div className="mb-3 flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
      <h2 className="font-semibold text-slate-900">{title}</h2>
      {link ? (
        <Link href={link.href} className="inline-flex items-center gap-1 text-sm text-brand-700 hover:underline">
          {link.text}
          <ArrowRight aria-hidden className="h-3.5 w-3.5" />
        </Link>
      ) : null}
    </div>
  );
}

function CountPair({ label, counts, testId }: { label: string; counts: CallCounts | undefined; testId: string }) {
  const t = useTranslations("dashboard.calls");
  return (
    <div data-testid={testId} className="min-w-0">
      <div className="text-sm text-slate-600">{label}</div>
      <div className="mt-1 text-3xl font-semibold tabular-nums text-slate-900">{counts ? counts.answered + counts.missed : "–"}</div>
      <div className="mt-1 flex flex-wrap gap-x-3 text-sm tabular-nums">
        <span className="text-emerald-700">{t("answeredCount", { count: counts?.answered ?? 0 })}</span>
        <span className="text-amber-800">{t("missedCount", { count: counts?.missed ?? 0 })}</span>
      </div>
    </div>
  );
}

function CallsCard({ data }: { data: ActivityOverview | undefined }) {
  const t = useTranslations("dashboard.calls");
  const locale = useLocale();
  const chartData = useMemo(
    () =>
      (data?.by_hour ?? []).map((hour) => ({
        hour: new Date(hour.start).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone: data?.time_zone }),
        answered: hour.answered,
        missed: hour.missed,
      })),
    [data, locale],
  );
  return (
    <Card className="min-w-0 p-5 lg:col-span-2">
      <SectionTitle title={t("title")} link={{ href: "/calls", text: t("history") }} />
      <div className="grid grid-cols-2 gap-4">
        <CountPair label={t("today")} counts={data?.today} testId="calls-today" />
        <CountPair label={t("lastHour")} counts={data?.last_hour} testId="calls-last-hour" />
      </div>
      <div className="mt-4 h-44 overflow-hidden" role="img" aria-label={t("chartLabel")}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={chartData} margin={{ top: 4, right: 4, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="hour" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={12} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="answered" name={t("answered")} stackId="calls" fill={answeredColor} isAnimationActive={false} />
            <Bar dataKey="missed" name={t("missed")} stackId="calls" fill={missedColor} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {data ? <p className="mt-2 text-xs text-slate-500">{t("timeZone", { zone: data.time_zone })}</p> : null}
    </Card>
  );
}

function AgentsCard({ data }: { data: ActivityOverview | undefined }) {
  const t = useTranslations("dashboard.agents");
  const tStatus = useTranslations("operations.callCentre.status");
  const states = ["available", "on_call", "wrap_up", "paused"] as const;
  const loggedIn = data ? states.reduce((sum, state) => sum + data.agents[state], 0) : undefined;
  return (
    <Card className="min-w-0 p-5">
      <SectionTitle title={t("title")} link={{ href: "/call-centre", text: t("board") }} />
      <div data-testid="agents-logged-in" className="text-3xl font-semibold tabular-nums text-slate-900">
        {loggedIn ?? "–"}
      </div>
      <div className="text-sm text-slate-600">{t("loggedIn")}</div>
      <ul className="mt-4 flex flex-wrap gap-2">
        {states.map((state) => (
          <li key={state} className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ${agentStatusStyles[state]}`}>
            {tStatus(state)}
            <span className="tabular-nums">{data?.agents[state] ?? 0}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The delivery log filtered to this hook, and to what is going wrong when that is one status. */
function deliveryLogHref(hook: HookStatus): string {
  const params = new URLSearchParams({ tab: "log", api: hook.outbound_api_id });
  const status = hook.kind === "data_lookup" ? "failed" : hook.alert === "failing" ? (hook.retrying > 0 ? "pending" : "dead") : null;
  if (status) params.set("status", status);
  return `/api-access?${params}`;
}

function HookBadge({ hook }: { hook: HookStatus }) {
  const t = useTranslations("dashboard.hooks.state");
  const [text, className, Icon] =
    hook.alert === "failing"
      ? [t("failing"), "bg-red-50 text-red-800 ring-red-200", CircleAlert]
      : hook.alert === "paused"
        ? [t("paused"), "bg-red-50 text-red-800 ring-red-200", CirclePause]
        : hook.alert === "breaker_open"
          ? [t("breakerOpen"), "bg-red-50 text-red-800 ring-red-200", CircleAlert]
          : !hook.enabled
            ? [t("off"), "bg-slate-100 text-slate-700 ring-slate-200", CircleSlash]
            : [t("ok"), "bg-emerald-50 text-emerald-800 ring-emerald-200", CircleCheck];
  return (
    <span className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ${className}`}>
      <Icon aria-hidden className="h-3.5 w-3.5" />
      {text}
    </span>
  );
}

/** The red line under a hook that needs attention: what is wrong, since when, and the way to its deliveries. */
function HookAlert({ hook }: { hook: HookStatus }) {
  const t = useTranslations("dashboard.hooks");
  const when = useWhen();
  const errorClassText = useErrorClassText();
  const what =
    hook.alert === "failing"
      ? t("alert.failing", { name: hook.name, since: when(hook.failing_since ?? hook.last_failure_at), error: errorClassText(hook.last_error_class) || t("alert.unknownError") })
      : hook.alert === "paused"
        ? t("alert.paused", { name: hook.name })
        : t("alert.breakerOpen", { name: hook.name });
  return (
    <p role="alert" className="mt-2 flex flex-wrap items-start gap-x-2 gap-y-1 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      <CircleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
      <span className="min-w-0 flex-1 basis-48">{what}</span>
      <Link href={deliveryLogHref(hook)} className="font-medium whitespace-nowrap underline hover:no-underline">
        {t("openLog")}
      </Link>
    </p>
  );
}

function HooksCard() {
  const t = useTranslations("dashboard.hooks");
  const tKind = useTranslations("integration.apis.kinds");
  const trpc = useTRPC();
  const when = useWhen();
  const hooks = useQuery({ ...trpc.overview.hooks.queryOptions(), refetchInterval: REFRESH_MS });
  return (
    <Card className="min-w-0 p-5 lg:col-span-3">
      <SectionTitle title={t("title")} link={{ href: "/api-access", text: t("manage") }} />
      {hooks.data && hooks.data.length === 0 ? (
        <p className="text-sm text-slate-600">
          {t("empty")}{" "}
          <Link href="/api-access" className="text-brand-700 underline hover:no-underline">
            {t("setUp")}
          </Link>
        </p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label={t("title")}>
          {(hooks.data ?? []).map((hook) => (
            <li key={hook.outbound_api_id} data-hook={hook.name} className="py-3 first:pt-0 last:pb-0">
              <div className="grid grid-cols-3 gap-x-4 gap-y-2 sm:grid-cols-[minmax(0,2fr)_repeat(3,minmax(0,1fr))] sm:items-center">
                <div className="col-span-3 min-w-0 sm:col-span-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium break-words text-slate-900">{hook.name}</span>
                    <HookBadge hook={hook} />
                  </div>
                  <div className="text-xs text-slate-500">{tKind(hook.kind)}</div>
                </div>
                <div className="min-w-0 text-sm">
                  <div className="text-xs text-slate-500">{t("lastSuccess")}</div>
                  <div className="text-slate-800">{when(hook.last_success_at)}</div>
                </div>
                <div className="min-w-0 text-sm">
                  <div className="text-xs text-slate-500">{t("failures24h")}</div>
                  <div className={`tabular-nums ${hook.failures_24h > 0 ? "font-medium text-red-700" : "text-slate-800"}`}>{hook.failures_24h}</div>
                </div>
                <div className="min-w-0 text-sm">
                  <div className="text-xs text-slate-500">{t("waiting")}</div>
                  <div className="tabular-nums text-slate-800">{hook.queued}</div>
                </div>
              </div>
              {hook.alert ? <HookAlert hook={hook} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function NewestCalls({ data }: { data: ActivityOverview | undefined }) {
  const t = useTranslations("dashboard.newest");
  const tCalls = useTranslations("operations.calls");
  const locale = useLocale();
  const calls = data?.newest_calls ?? [];
  const day = (iso: string) => new Date(iso).toLocaleDateString(locale, { timeZone: data?.time_zone });
  const today = day(new Date().toISOString());
  // Today's calls by time only, so the caller keeps the room on a phone.
  const endedText = (iso: string) =>
    new Date(iso).toLocaleString(locale, { ...(day(iso) === today ? {} : { dateStyle: "short" }), timeStyle: "short", timeZone: data?.time_zone });
  return (
    <Card className="min-w-0 p-5 lg:col-span-3">
      <SectionTitle title={t("title")} link={{ href: "/calls", text: t("all") }} />
      {data && calls.length === 0 ? (
        <p className="text-sm text-slate-600">{t("empty")}</p>
      ) : (
        <table className="w-full table-fixed text-sm" aria-label={t("title")}>
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="w-12 pb-2 font-medium sm:w-36">{t("ended")}</th>
              <th className="pb-2 font-medium">{tCalls("caller")}</th>
              <th className="hidden pb-2 font-medium sm:table-cell">{t("called")}</th>
              <th className="w-24 pb-2 font-medium sm:w-36">{tCalls("disposition")}</th>
              <th className="hidden pb-2 font-medium md:table-cell">{t("answeredBy")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {calls.map((cdr) => (
              <tr key={cdr.cdr_id} data-call={cdr.call_id} className="align-top">
                <td className="py-2 pr-2 tabular-nums">
                  <time dateTime={cdr.ended_at}>{endedText(cdr.ended_at)}</time>
                </td>
                <td className="truncate py-2 pr-2">
                  <Party party={cdr.caller} />
                </td>
                <td className="hidden truncate py-2 pr-2 sm:table-cell">{numberText(cdr.called_number)}</td>
                <td className="py-2 pr-2">
                  <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${dispositionStyles[cdr.disposition]}`}>{tCalls(`dispositions.${cdr.disposition}`)}</span>
                </td>
                <td className="hidden truncate py-2 md:table-cell">{cdr.disposition === "answered" ? targetText(cdr) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

/** The home page's live part: calls, agents, CRM hooks (admins) and the newest calls. */
export function Overview({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  // The browser's zone: "today" and the chart's hours are the viewer's.
  const timeZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const activity = useQuery({ ...trpc.overview.activity.queryOptions({ timeZone }), refetchInterval: REFRESH_MS });
  return (
    <div className="grid min-w-0 gap-4 lg:grid-cols-3">
      <CallsCard data={activity.data} />
      <AgentsCard data={activity.data} />
      {isAdmin ? <HooksCard /> : null}
      <NewestCalls data={activity.data} />
    </div>
  );
}
