"use client";
/** Every error and warning of the flow; choosing one selects its node and brings it into view. */
import { useTranslations } from "next-intl";
import { AlertTriangle, CheckCircle2, CircleAlert } from "lucide-react";
import type { Locale } from "@/flows/model/types";
import type { ValidationIssue, ValidationResult } from "@/flows/validation/validateFlow";
import { type EditorDocument, displayLabel } from "../editorDocument";
import { issueText } from "../issues";

export function ProblemsPanel({
  result,
  document,
  locale,
  onShowNode,
}: {
  result: ValidationResult;
  document: EditorDocument;
  locale: Locale;
  onShowNode: (nodeId: string) => void;
}) {
  const t = useTranslations("editor.problems");
  if (result.errors.length === 0 && result.warnings.length === 0) {
    return (
      <p className="flex items-center gap-2 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800">
        <CheckCircle2 aria-hidden className="h-4 w-4" />
        {t("none")}
      </p>
    );
  }
  const nodeName = (issue: ValidationIssue) => {
    const node = issue.node_id ? document.nodes.find((item) => item.id === issue.node_id) : undefined;
    return node ? displayLabel(node, locale) : t("wholeFlow");
  };
  const row = (issue: ValidationIssue, severity: "error" | "warning", index: number) => {
    const Icon = severity === "error" ? CircleAlert : AlertTriangle;
    const content = (
      <>
        <Icon aria-hidden className={`mt-0.5 h-4 w-4 shrink-0 ${severity === "error" ? "text-red-600" : "text-amber-500"}`} />
        <span className="min-w-0">
          <span className="block text-xs font-semibold text-slate-800">{nodeName(issue)}</span>
          <span className="block text-xs text-slate-600">{issueText(issue, locale)}</span>
        </span>
      </>
    );
    const nodeId = issue.node_id;
    return (
      <li key={`${severity}-${index}`}>
        {nodeId && document.nodes.some((node) => node.id === nodeId) ? (
          <button type="button" onClick={() => onShowNode(nodeId)} className="flex w-full items-start gap-2 rounded-md p-2 text-left hover:bg-slate-50">
            {content}
          </button>
        ) : (
          <div className="flex items-start gap-2 p-2">{content}</div>
        )}
      </li>
    );
  };
  return (
    <div className="space-y-3">
      {result.errors.length > 0 ? (
        <section aria-label={t("errors", { count: result.errors.length })}>
          <h3 className="mb-1 text-xs font-semibold text-red-700">{t("errors", { count: result.errors.length })}</h3>
          <p className="mb-1 text-[11px] text-slate-500">{t("errorsHint")}</p>
          <ul className="divide-y divide-slate-100">{result.errors.map((issue, index) => row(issue, "error", index))}</ul>
        </section>
      ) : null}
      {result.warnings.length > 0 ? (
        <section aria-label={t("warnings", { count: result.warnings.length })}>
          <h3 className="mb-1 text-xs font-semibold text-amber-700">{t("warnings", { count: result.warnings.length })}</h3>
          <ul className="divide-y divide-slate-100">{result.warnings.map((issue, index) => row(issue, "warning", index))}</ul>
        </section>
      ) : null}
    </div>
  );
}
