"use client";
/**
 * The form for the selected node, generated from its type's config schema:
 * label, every config field with its own widget, and where each output leads.
 * Edits apply at once (the canvas summary follows) and are undoable.
 */
import { useId, useMemo } from "react";
import { useTranslations } from "next-intl";
import { Copy, Trash2 } from "lucide-react";
import type { FlowDocument } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";
import { templateVariables } from "@/flows/templates/variables";
import type { ValidationIssue } from "@/flows/validation/validateFlow";
import { configFieldsOf } from "../configFields";
import type { EditorDocument, EditorNode, NodeConfigRecord } from "../editorDocument";
import { type NodeIssues, type PickerOptions, issueField, issuePort, issueText } from "../issues";
import { GROUP_STYLES, NodeIcon } from "../nodeAppearance";
import { ConfigFieldEditor } from "./ConfigFieldEditor";
import { ConnectionsSection } from "./ConnectionsSection";
import { inputClass, smallButtonClass } from "./FieldShell";
import { InspectorContext, type InspectorContextValue } from "./InspectorContext";

export interface InspectorProps {
  document: EditorDocument;
  node: EditorNode;
  flowId: string;
  locale: "en" | "hu";
  options: PickerOptions;
  issues?: NodeIssues;
  onConfigChange: (config: NodeConfigRecord, field: string) => void;
  onLabelChange: (label: string) => void;
  onConnect: (port: string, target: string | null) => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

export function Inspector({ document, node, flowId, locale, options, issues, onConfigChange, onLabelChange, onConnect, onDuplicate, onDelete }: InspectorProps) {
  const t = useTranslations("editor.inspector");
  const labelId = useId();
  const definition = looseDefinition(node.type);
  // The document may be mid-edit; autocomplete only needs its graph and the variables nodes set.
  const variables = useMemo(() => templateVariables(document as unknown as FlowDocument, node.id), [document, node.id]);
  const context = useMemo<InspectorContextValue>(() => ({ locale, flowId, variables, options }), [locale, flowId, variables, options]);
  const errors = issues?.errors ?? [];
  const warnings = issues?.warnings ?? [];

  function fieldError(key: string): string | undefined {
    const issue = errors.find((item) => issueField(item) === key) ?? warnings.find((item) => issueField(item) === key);
    if (!issue) return undefined;
    // The schema's own wording is English; an empty required field is said in the admin's language.
    return issue.code === "schema_invalid" && isEmpty(node.config[key]) ? t("required") : issueText(issue, locale);
  }
  const isNodeLevel = (issue: ValidationIssue) => issueField(issue) === null && issuePort(issue) === null;
  const nodeErrors = errors.filter(isNodeLevel);
  const nodeWarnings = warnings.filter(isNodeLevel);

  return (
    <InspectorContext.Provider value={context}>
      <div className="space-y-4">
        <header className="flex items-start gap-3">
          <span className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-lg ${GROUP_STYLES[definition.group]}`}>
            <NodeIcon name={definition.icon} className="h-5 w-5" />
          </span>
          <div className="min-w-0">
            <h2 className="text-sm font-semibold text-slate-900">{definition.label[locale]}</h2>
            <p className="text-xs text-slate-500">{definition.description[locale]}</p>
          </div>
        </header>
        {nodeErrors.length > 0 ? (
          <ul className="space-y-1 rounded-md bg-red-50 p-2 text-xs text-red-800 ring-1 ring-red-200">
            {nodeErrors.map((issue, index) => (
              <li key={index}>{issueText(issue, locale)}</li>
            ))}
          </ul>
        ) : null}
        {nodeWarnings.length > 0 ? (
          <ul className="space-y-1 rounded-md bg-amber-50 p-2 text-xs text-amber-800 ring-1 ring-amber-200">
            {nodeWarnings.map((issue, index) => (
              <li key={index}>{issueText(issue, locale)}</li>
            ))}
          </ul>
        ) : null}
        <div className="space-y-1">
          <label htmlFor={labelId} className="block text-xs font-medium text-slate-700">
            {t("nodeLabel")}
          </label>
          <input id={labelId} value={node.label ?? ""} placeholder={definition.label[locale]} onChange={(event) => onLabelChange(event.target.value)} className={inputClass} />
          <p className="text-[11px] text-slate-500">{t("nodeId", { id: node.id })}</p>
        </div>
        {configFieldsOf(node.type).map((field) => (
          <ConfigFieldEditor
            key={`${node.id}:${field.key}`}
            nodeType={node.type}
            field={field}
            value={node.config[field.key]}
            error={fieldError(field.key)}
            onChange={(value) => {
              const { [field.key]: _old, ...rest } = node.config;
              onConfigChange(value === undefined ? rest : { ...rest, [field.key]: value }, field.key);
            }}
          />
        ))}
        <ConnectionsSection document={document} node={node} issues={[...errors, ...warnings]} onConnect={onConnect} />
        {node.type === "start" ? null : (
          <div className="flex gap-2 border-t border-slate-200 pt-4">
            <button type="button" className={smallButtonClass} onClick={onDuplicate}>
              <Copy aria-hidden className="h-3.5 w-3.5" />
              {t("duplicate")}
            </button>
            <button type="button" className={`${smallButtonClass} text-red-700 ring-red-200 hover:bg-red-50`} onClick={onDelete}>
              <Trash2 aria-hidden className="h-3.5 w-3.5" />
              {t("delete")}
            </button>
          </div>
        )}
      </div>
    </InspectorContext.Provider>
  );
}
