"use client";
/**
 * Where each output leads, as plain selects: the keyboard-friendly way to
 * connect nodes, and a readable list of a node's branches.
 */
import { useId, useMemo } from "react";
import { useTranslations } from "next-intl";
import type { ValidationIssue } from "@/flows/validation/validateFlow";
import { connectionProblem } from "../connections";
import { type EditorDocument, type EditorNode, displayLabel, portsOf } from "../editorDocument";
import { issuePort, issueText } from "../issues";
import { useStructure } from "../hooks/useStructure";
import { inputClass } from "./FieldShell";
import { useInspector } from "./InspectorContext";

export function ConnectionsSection({
  document,
  node,
  issues,
  onConnect,
}: {
  document: EditorDocument;
  node: EditorNode;
  issues: ValidationIssue[];
  onConnect: (port: string, target: string | null) => void;
}) {
  const t = useTranslations("editor.inspector");
  const { locale } = useInspector();
  const baseId = useId();
  const ports = portsOf(node);
  // Recomputed when connections or configs change, not on every frame of a drag.
  const structure = useStructure(document);
  const source = structure.nodes.find((other) => other.id === node.id) ?? node;
  const allowedTargets = useMemo(() => {
    const unconnected = { ...structure, edges: [] };
    return new Map(
      portsOf(source).map((port) => [
        port.id,
        new Set(structure.nodes.filter((other) => connectionProblem(unconnected, { source: source.id, sourceHandle: port.id, target: other.id }) === null).map((other) => other.id)),
      ]),
    );
  }, [structure, source]);
  if (ports.length === 0) return null;
  return (
    <section aria-labelledby={`${baseId}-title`} className="space-y-2 border-t border-slate-200 pt-4">
      <h3 id={`${baseId}-title`} className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
        {t("outputs")}
      </h3>
      {ports.map((port) => {
        const target = document.edges.find((edge) => edge.source === node.id && edge.source_port === port.id)?.target ?? "";
        const candidates = structure.nodes.filter((other) => other.id === target || allowedTargets.get(port.id)?.has(other.id));
        const issue = issues.find((item) => issuePort(item) === port.id);
        const id = `${baseId}-${port.id}`;
        return (
          <div key={port.id} className="grid grid-cols-[7rem_1fr] items-center gap-2">
            <label htmlFor={id} className={`truncate text-xs ${port.required ? "font-medium text-slate-800" : "text-slate-600"}`}>
              {port.label[locale]}
            </label>
            <select
              id={id}
              value={target}
              onChange={(event) => onConnect(port.id, event.target.value || null)}
              aria-invalid={Boolean(issue && port.required && !target)}
              title={issue ? issueText(issue, locale) : undefined}
              className={`${inputClass} py-1 text-xs`}
            >
              <option value="">{port.required ? t("notConnectedRequired") : t("notConnected")}</option>
              {candidates.map((other) => (
                <option key={other.id} value={other.id}>
                  {displayLabel(other, locale)} · {other.id}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </section>
  );
}
