"use client";
/** The Properties tab: the inspector for one selected node, actions for several, flow settings for none. */
import { useTranslations } from "next-intl";
import type { Locale } from "@/flows/model/types";
import { Button } from "../ui/Button";
import { setPortTarget } from "./connections";
import { setFlowSettings, setNodeConfig, setNodeLabel } from "./documentEdits";
import type { EditorCommands } from "./hooks/useEditorCommands";
import type { EditorState } from "./hooks/useEditorState";
import type { FlowValidation } from "./hooks/useFlowValidation";
import { FlowSettingsForm } from "./inspector/FlowSettingsForm";
import { Inspector } from "./inspector/Inspector";
import type { PickerOptions } from "./issues";

export function PropertiesPanel({
  editor,
  commands,
  validation,
  flowId,
  locale,
  options,
}: {
  editor: EditorState;
  commands: EditorCommands;
  validation: FlowValidation;
  flowId: string;
  locale: Locale;
  options: PickerOptions;
}) {
  const t = useTranslations("editor.selection");
  const { document, selection, apply } = editor;
  const node = selection.nodes.size === 1 ? document.nodes.find((item) => selection.nodes.has(item.id)) : undefined;
  if (node) {
    return (
      <Inspector
        key={node.id}
        document={document}
        node={node}
        flowId={flowId}
        locale={locale}
        options={options}
        issues={validation.byNode.get(node.id)}
        onConfigChange={(config, field) => apply((current) => setNodeConfig(current, node.id, config), { mergeKey: `config:${node.id}:${field}` })}
        onLabelChange={(label) => apply((current) => setNodeLabel(current, node.id, label), { mergeKey: `label:${node.id}` })}
        onConnect={(port, target) => apply((current) => setPortTarget(current, node.id, port, target))}
        onDuplicate={commands.duplicate}
        onDelete={commands.remove}
      />
    );
  }
  if (selection.nodes.size > 1) {
    return (
      <div className="space-y-3">
        <p className="text-sm text-slate-700">{t("many", { count: selection.nodes.size })}</p>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={commands.duplicate}>
            {t("duplicate")}
          </Button>
          <Button variant="danger" onClick={commands.remove}>
            {t("delete")}
          </Button>
        </div>
      </div>
    );
  }
  return <FlowSettingsForm document={document} onChange={(settings, field) => apply((current) => setFlowSettings(current, settings), { mergeKey: `settings:${field}` })} />;
}
