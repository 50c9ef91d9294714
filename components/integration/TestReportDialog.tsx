"use client";
import { useLocale, useTranslations } from "next-intl";
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
  const locale = useLocale() === "hu" ? "hu" : "en";
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
              <strong>{report.crm_message ? report.crm_message[locale] : errorClassText(report.error.class)}</strong>
              <span className="mt-1 block font-mono text-xs">{report.error.message}</span>
            </p>
          ) : null}
          {report.lookup ? <LookupOutcome lookup={report.lookup} /> : null}
          {report.lookup && report.lookup.steps.length > 1 ? null : <HttpBlock
            title={t("request")}
            lines={[`${report.request.method} ${report.request.url}`, ...Object.entries(report.request.headers).map(([k, v]) => `${k}: ${v}`)]}
            body={prettyJson(report.request.body)}
          />}
          {report.lookup && report.lookup.steps.length > 1 ? null : report.response ? (
            <HttpBlock
              title={t("response")}
              lines={[`HTTP ${report.response.status}`, ...Object.entries(report.response.headers).map(([k, v]) => `${k}: ${v}`)]}
              body={report.response.body + (report.response.body_truncated ? `\n${t("truncated")}` : "")}
            />
          ) : (
            <p className="text-sm text-slate-600">{t("noResponse")}</p>
          )}
          <div className="flex justify-end">
            <Button onClick={onClose}>{t("close")}</Button>
          </div>
        </div>
      ) : null}
    </Modal>
  );
}

/** A look-up's Test: where the call would go (the card a non-programmer reads first), then every request of the chain. */
function LookupOutcome({ lookup }: { lookup: NonNullable<TestReport["lookup"]> }) {
  const t = useTranslations("integration.test");
  const { result, steps } = lookup;
  const contact = result.status === "error" ? undefined : result.contact;
  return (
    <div className="space-y-3">
      <div className="rounded-md bg-slate-50 p-3 text-sm ring-1 ring-slate-200" data-testid="lookup-outcome">
        <p className="font-medium text-slate-900">
          {result.status === "found" && result.extension
            ? t("routesTo", { extension: result.extension })
            : result.status === "error"
              ? t("takesError")
              : contact
                ? t("knownNoRoute")
                : t("lookupNotFound")}
        </p>
        {contact ? (
          <p className="mt-1 text-slate-700">
            {t("contact")}: <strong>{contact.name ?? contact.id}</strong>
            {contact.company ? ` · ${contact.company}` : ""}
            {contact.id ? <span className="text-slate-500"> (#{contact.id})</span> : null}
          </p>
        ) : null}
      </div>
      <ol className="space-y-2 text-xs" aria-label={t("steps")}>
        {steps.map((step, index) => (
          <li key={index} className="rounded-md p-2 ring-1 ring-slate-200">
            <p className="font-mono break-all">
              {t("stepN", { n: index + 1 })}: {step.request.method} {step.request.url}
            </p>
            <p className="text-slate-600">
              {step.response ? `HTTP ${step.response.status}` : step.error ? step.error.class : ""} · {t("latency", { ms: Math.round(step.latency_ms) })}
              {step.error ? ` · ${step.error.message}` : ""}
            </p>
            {step.mapped ? (
              <p className="font-mono text-slate-700">
                {Object.entries({ ...step.mapped.contact, owner_user_id: step.mapped.owner_user_id, extension: step.mapped.extension, ...step.mapped.fields })
                  .filter(([, value]) => value !== undefined)
                  .map(([key, value]) => `${key}=${String(value)}`)
                  .join(", ")}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
