"use client";
import { useTranslations } from "next-intl";
import type { TestReport } from "@/server/integration/testSend";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { Badge, useErrorClassText } from "./shared";

function HttpBlock({ title, lines, body }: { title: string; lines: string[]; body: string }) {
  return (
    <div>
      <p className="mb-1 text-sm font-medium text-slate-700">{title}</p>
      <pre className="max-h-64 overflow-auto rounded-md bg-slate-900 p-3 text-xs whitespace-pre-wrap text-slate-100">
        {lines.join("\n")}
        {body ? `\n\n${body}` : ""}
      </pre>
    </div>
  );
}

const prettyJson = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

/** What the Test button sent (credentials masked) and what came back, or why nothing did. */
export function TestReportDialog({ report, onClose }: { report: TestReport | null; onClose: () => void }) {
  const t = useTranslations("integration.test");
  const errorClassText = useErrorClassText();
  return (
    <Modal open={report !== null} title={t("title")} onClose={onClose}>
      {report ? (
        <div className="space-y-4" data-testid="test-report">
          <p className="flex items-center gap-2 text-sm">
            {report.ok ? <Badge tone="green">{t("ok")}</Badge> : <Badge tone="red">{t("failed")}</Badge>}
            <span className="text-slate-600">{t("latency", { ms: Math.round(report.latency_ms) })}</span>
          </p>
          {report.error ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              <strong>{errorClassText(report.error.class)}</strong>
              <span className="mt-1 block font-mono text-xs">{report.error.message}</span>
            </p>
          ) : null}
          <HttpBlock
            title={t("request")}
            lines={[`${report.request.method} ${report.request.url}`, ...Object.entries(report.request.headers).map(([k, v]) => `${k}: ${v}`)]}
            body={prettyJson(report.request.body)}
          />
          {report.response ? (
            <HttpBlock
              title={t("response")}
              lines={[`HTTP ${report.response.status}`, ...Object.entries(report.response.headers).map(([k, v]) => `${k}: ${v}`)]}
              body={report.response.body + (report.response.body_truncated ? `\n${t("truncated")}` : "")}
            />
          ) : (
            <p className="text-sm text-slate-600">{t("noResponse")}</p>
          )}
          {report.lookup ? (
            <div className="text-sm">
              <p className="font-medium text-slate-700">{report.lookup.result.status === "found" ? t("lookupFound") : t("lookupNotFound")}</p>
              <pre className="mt-1 overflow-x-auto rounded-md bg-slate-50 p-2 text-xs">{JSON.stringify(report.lookup.result, null, 2)}</pre>
            </div>
          ) : null}
          <div className="flex justify-end">
            <Button onClick={onClose}>{t("close")}</Button>
          </div>
        </div>
      ) : null}
    </Modal>
  );
}
