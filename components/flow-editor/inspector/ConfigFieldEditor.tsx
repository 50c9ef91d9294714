"use client";
/** One config field of the inspector form: the widget its metadata names, inside its label, help and error. */
import { useTranslations } from "next-intl";
import type { NodeType } from "@/flows/model/types";
import { configFieldsOf, type ConfigField } from "../configFields";
import { FieldShell } from "./FieldShell";
import { useInspector } from "./InspectorContext";
import { TemplateInput } from "./TemplateInput";
import { BooleanWidget, CountryWidget, DatesWidget, LanguageWidget, NumberWidget, SelectWidget, TextWidget, TimezoneWidget } from "./widgets/basic";
import { DtmfOptionsWidget } from "./widgets/DtmfOptionsWidget";
import { AssignmentsWidget, ConditionRulesWidget } from "./widgets/listEditors";
import { ExtensionWidget, ExtensionsWidget, ReferenceWidget } from "./widgets/pickers";
import { PromptWidget } from "./widgets/PromptWidget";
import { AudioWidget } from "./widgets/AudioPromptPicker";
import { ScheduleWidget } from "./widgets/ScheduleWidget";
import type { WidgetProps } from "./widgets/types";

/** Widgets made of several controls: a fieldset with a legend instead of a label. */
const GROUP_WIDGETS = new Set(["schedule", "dtmf_options", "assignments", "condition_rules", "dates", "extensions"]);

function Widget({ nodeType, ...props }: WidgetProps & { nodeType: NodeType }) {
  switch (props.field.meta.widget) {
    case "number":
      return <NumberWidget {...props} />;
    case "boolean":
      return <BooleanWidget {...props} />;
    case "select":
      return <SelectWidget {...props} />;
    case "language":
      return <LanguageWidget {...props} />;
    case "timezone":
      return <TimezoneWidget {...props} />;
    case "country":
      return <CountryWidget {...props} />;
    case "dates":
      return <DatesWidget {...props} />;
    case "prompt":
      // Play nodes pick their recording in their own "audio" field.
      return <PromptWidget {...props} recordedAudio={!configFieldsOf(nodeType).some((field) => field.meta.widget === "audio")} />;
    case "audio":
      return <AudioWidget {...props} />;
    case "template":
    case "expression":
      return (
        <TemplateInput ids={props.ids} kind={props.field.meta.widget} value={typeof props.value === "string" ? props.value : ""} onChange={props.onChange} />
      );
    case "extension":
      return <ExtensionWidget {...props} />;
    case "extensions":
      return <ExtensionsWidget {...props} />;
    case "queue":
    case "outbound_api":
    case "flow":
      return <ReferenceWidget {...props} nodeType={nodeType} />;
    case "schedule":
      return <ScheduleWidget {...props} />;
    case "dtmf_options":
      return <DtmfOptionsWidget {...props} />;
    case "assignments":
      return <AssignmentsWidget {...props} />;
    case "condition_rules":
      return <ConditionRulesWidget {...props} />;
    case "text":
    case "variable":
      return <TextWidget {...props} />;
  }
}

export function ConfigFieldEditor({
  nodeType,
  field,
  value,
  error,
  onChange,
}: {
  nodeType: NodeType;
  field: ConfigField;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const t = useTranslations("editor.inspector");
  const { locale } = useInspector();
  const label = field.optional ? `${field.meta.label[locale]} ${t("optional")}` : field.meta.label[locale];
  return (
    <FieldShell label={label} help={field.meta.help?.[locale]} error={error} group={GROUP_WIDGETS.has(field.meta.widget)} inline={field.meta.widget === "boolean"}>
      {(ids) => <Widget nodeType={nodeType} field={field} value={value} onChange={onChange} ids={ids} />}
    </FieldShell>
  );
}
