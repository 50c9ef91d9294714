"use client";
import { useLocale, useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Clapperboard } from "lucide-react";
import { useTRPC } from "../trpc";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";

/** The steps a call's flow took: node, time, branch, duration, and any error; admins can replay them on the flow's canvas. */
export function TraceDialog({ callId, onClose, canReplay = false }: { callId: string | null; onClose: () => void; canReplay?: boolean }) {
  const t = useTranslations("operations.calls.trace");
  const tCommon = useTranslations("common");
  return (
    <Modal open={callId !== null} title={t("title")} onClose={onClose}>
      {callId ? <TraceSteps callId={callId} canReplay={canReplay} /> : null}
      <div className="mt-4 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          {tCommon("close")}
        </Button>
      </div>
    </Modal>
  );
}

function TraceSteps({ callId, canReplay }: { callId: string; canReplay: boolean }) {
  const t = useTranslations("operations.calls.trace");
  const tCommon = useTranslations("common");
  const locale = useLocale();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const trace = useQuery(trpc.calls.trace.queryOptions({ callId }));
  if (trace.error) return <p className="text-sm text-red-600">{errorText(fieldErrorsFromServer(trace.error)._form)}</p>;
  if (!trace.data) return <p className="text-sm text-slate-500">{tCommon("loading")}</p>;
  const { data } = trace;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600">
          {t("summary", { flow: data.flow_name ?? data.flow_id ?? "—", revision: data.revision ?? "—", outcome: data.outcome })}
        </p>
        {/* The editor's replay is a page of its own, so the link can be bookmarked and shared. */}
        {canReplay && data.flow_id ? (
          <Link
            href={`/flows/${encodeURIComponent(data.flow_id)}?replay=${encodeURIComponent(data.call_id)}`}
            className="inline-flex items-center gap-1.5 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
          >
            <Clapperboard aria-hidden className="h-4 w-4" />
            {t("replay")}
          </Link>
        ) : null}
      </div>
      <ol className="max-h-96 space-y-2 overflow-auto p-0.5">
        {data.steps.map((step, index) => (
          <li key={index} className="rounded-md px-3 py-2 ring-1 ring-slate-200">
            <div className="flex items-baseline justify-between gap-2">
              <span className="font-mono text-sm font-medium text-slate-900">
                {index + 1}. {step.node_id} <span className="font-sans text-xs font-normal text-slate-500">({step.type})</span>
              </span>
              <time dateTime={step.at} className="text-xs text-slate-500">
                {new Date(step.at).toLocaleTimeString(locale)}
              </time>
            </div>
            <div className="mt-1 text-xs text-slate-600">
              {step.branch ? t("branch", { branch: step.branch }) : t("noBranch")} · {t("duration", { seconds: Math.round(step.duration_ms / 100) / 10 })}
            </div>
            {step.error ? <div className="mt-1 text-xs text-red-600">{step.error}</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
