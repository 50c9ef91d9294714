"use client";
/**
 * Published revisions, newest first, with who published them and when. One
 * can be viewed on the canvas (changes against the revision before it
 * highlighted) and rolled back to, which publishes it again as a new revision.
 */
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { Eye, History, RotateCcw } from "lucide-react";
import { useTRPC } from "../../trpc";
import { smallButtonClass } from "../inspector/FieldShell";

export function HistoryPanel({
  flowId,
  viewing,
  onView,
  onRollback,
}: {
  flowId: string;
  viewing: number | null;
  onView: (revision: number | null) => void;
  onRollback: (revision: number) => void;
}) {
  const t = useTranslations("editor.history");
  const format = useFormatter();
  const locale = useLocale();
  const trpc = useTRPC();
  const revisions = useQuery(trpc.flows.revisions.queryOptions({ id: flowId }));
  const users = useQuery(trpc.users.list.queryOptions());
  const nameOf = (userId: string | null) => {
    const user = users.data?.find((item) => item.id === userId);
    if (!user) return t("unknownUser");
    return locale === "hu" ? `${user.lastName} ${user.firstName}` : `${user.firstName} ${user.lastName}`;
  };

  if (revisions.isPending) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  if (!revisions.data?.length) {
    return (
      <p className="flex items-start gap-2 rounded-md bg-slate-50 p-3 text-sm text-slate-600">
        <History aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />
        {t("empty")}
      </p>
    );
  }
  const latest = revisions.data[0].revision;
  return (
    <div className="space-y-2">
      <p className="text-xs text-slate-500">{t("intro")}</p>
      <ol className="space-y-2" aria-label={t("title")}>
        {revisions.data.map((item) => (
          <li key={item.revision} className={`rounded-md p-2.5 ring-1 ${viewing === item.revision ? "bg-brand-50 ring-brand-500" : "ring-slate-200"}`}>
            <div className="flex items-baseline justify-between gap-2">
              <span className="text-sm font-semibold text-slate-900">{t("revision", { revision: item.revision })}</span>
              {item.revision === latest ? <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-[11px] font-medium text-emerald-700">{t("live")}</span> : null}
            </div>
            <p className="text-xs text-slate-500">
              {format.dateTime(new Date(item.publishedAt), { dateStyle: "medium", timeStyle: "short" })} · {nameOf(item.publishedBy)}
            </p>
            <div className="mt-2 flex gap-2">
              <button
                type="button"
                className={smallButtonClass}
                aria-pressed={viewing === item.revision}
                aria-label={t("viewRevision", { revision: item.revision })}
                onClick={() => onView(viewing === item.revision ? null : item.revision)}
              >
                <Eye aria-hidden className="h-3.5 w-3.5" />
                {t("view")}
              </button>
              {item.revision === latest ? null : (
                <button type="button" className={smallButtonClass} aria-label={t("rollbackTo", { revision: item.revision })} onClick={() => onRollback(item.revision)}>
                  <RotateCcw aria-hidden className="h-3.5 w-3.5" />
                  {t("rollback")}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
