"use client";
import { useEffect, useState } from "react";
import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { formatPhone } from "@/lib/phone";
import type { LiveCallView } from "@/server/live/liveCallViews";
import { useTRPC } from "../trpc";
import { formatDuration } from "./format";
import { LiveStatus, useLiveStream } from "./LiveStream";

/** Only when the stream cannot be kept open. */
const fallbackPollSeconds = 1.5;

/** E.164 numbers spaced for reading; extensions as they are. */
export function numberText(number: string): string {
  return number.startsWith("+") ? formatPhone(number) : number || "—";
}

/** A caller or callee: the name when known, the number under it. */
export function Party({ party }: { party: { number: string; name: string | null } }) {
  if (!party.name) return <span className="whitespace-nowrap">{numberText(party.number)}</span>;
  return (
    <div>
      <div className="whitespace-nowrap text-slate-900">{party.name}</div>
      <div className="text-xs whitespace-nowrap text-slate-500">{numberText(party.number)}</div>
    </div>
  );
}

/**
 * Calls in progress, updated in place as they change (server-sent events, the agent board's mechanism:
 * server/live/liveStream.ts): who calls whom, status, and the flow step a call is in.
 */
export function LiveCalls() {
  const t = useTranslations("operations.calls");
  const trpc = useTRPC();
  const live = useLiveStream("/api/operations/calls/stream", "calls", trpc.calls.live.queryKey(), (_old, calls: LiveCallView[]) => calls);
  // The fallback keeps polling in a background tab: a wall display of live calls is rarely the focused window.
  const calls = useQuery({
    ...trpc.calls.live.queryOptions(),
    refetchInterval: live === "polling" ? fallbackPollSeconds * 1000 : false,
    refetchIntervalInBackground: true,
    staleTime: 0,
  });
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const rows = calls.data;
  return (
    <section aria-labelledby="live-calls-title" className="mb-8">
      <div className="mb-2 flex items-baseline justify-between">
        <h2 id="live-calls-title" className="text-lg font-semibold text-slate-900">
          {t("liveTitle")}
        </h2>
        <LiveStatus live={live} pollSeconds={fallbackPollSeconds} />
      </div>
      <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        {rows && rows.length === 0 ? (
          <p className="px-4 py-5 text-sm text-slate-500">{t("liveEmpty")}</p>
        ) : (
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="live-calls-title">
            <thead className="bg-slate-50">
              <tr>
                {[t("duration"), t("direction"), t("caller"), t("callee"), t("status"), t("flowStep")].map((header) => (
                  <th key={header} scope="col" className="px-4 py-2.5 text-left font-medium text-slate-600">
                    {header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {(rows ?? []).map((call) => (
                <tr key={call.call_id}>
                  <td className="px-4 py-2.5 tabular-nums">{formatDuration((now - Date.parse(call.started_at)) / 1000)}</td>
                  <td className="px-4 py-2.5">{t(`directions.${call.direction}`)}</td>
                  <td className="px-4 py-2.5">
                    <Party party={call.caller} />
                  </td>
                  <td className="px-4 py-2.5">
                    <Party party={call.callee} />
                  </td>
                  <td className="px-4 py-2.5">
                    <span className="inline-flex rounded-full bg-sky-50 px-2 py-0.5 text-xs font-medium text-sky-700 ring-1 ring-sky-200">{t(`callStatus.${call.status}`)}</span>
                  </td>
                  <td className="px-4 py-2.5 font-mono text-xs text-slate-600">{call.current_node_id ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
