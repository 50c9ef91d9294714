"use client";
/**
 * Pickers for things outside the flow: extensions, queues, outbound APIs and
 * other flows, from the lists the server offers. A stored value that is not
 * in the list any more stays visible, marked as missing.
 */
import Link from "next/link";
import { useTranslations } from "next-intl";
import { ArrowUp, X } from "lucide-react";
import { isTemplate } from "@/flows/model/fields";
import { looseDefinition } from "@/flows/nodes/definitions";
import type { NodeType } from "@/flows/model/types";
import type { PickerOption } from "../../issues";
import { iconButtonClass, inputClass } from "../FieldShell";
import { useInspector } from "../InspectorContext";
import { TemplateInput } from "../TemplateInput";
import { swapWithPrevious } from "./listEditors";
import type { WidgetProps } from "./types";

function OptionSelect({ value, options, onChange, ids, placeholder }: { value: string; options: PickerOption[]; onChange: (id: string) => void; ids: WidgetProps["ids"]; placeholder: string }) {
  const t = useTranslations("editor.inspector");
  const missing = value !== "" && !options.some((option) => option.id === value);
  return (
    <select id={ids.id} value={value} onChange={(event) => onChange(event.target.value)} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} className={inputClass}>
      <option value="">{placeholder}</option>
      {missing ? <option value={value}>{t("missingOption", { id: value })}</option> : null}
      {options.map((option) => (
        <option key={option.id} value={option.id}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

const USE_TEMPLATE = "\u0000template";

/** One extension; where the field allows it (dial targets) also a template such as `{{ lookup.extension }}`. */
export function ExtensionWidget({ field, value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const { options } = useInspector();
  const current = typeof value === "string" ? value : "";
  if (field.acceptsTemplate && isTemplate(current)) {
    return (
      <div className="space-y-1">
        <TemplateInput ids={ids} value={current} onChange={onChange} />
        <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => onChange("")}>
          {t("chooseExtensionInstead")}
        </button>
      </div>
    );
  }
  return (
    <select
      id={ids.id}
      value={current}
      onChange={(event) => onChange(event.target.value === USE_TEMPLATE ? "{{ lookup.extension }}" : event.target.value)}
      aria-describedby={ids.describedBy}
      aria-invalid={ids.invalid}
      className={inputClass}
    >
      <option value="">{t("chooseExtension")}</option>
      {current !== "" && !options.extensions.some((option) => option.id === current) ? <option value={current}>{t("missingOption", { id: current })}</option> : null}
      {options.extensions.map((option) => (
        <option key={option.id} value={option.id}>
          {option.label}
        </option>
      ))}
      {field.acceptsTemplate ? <option value={USE_TEMPLATE}>{t("useTemplate")}</option> : null}
    </select>
  );
}

/** Several extensions, in ringing order. */
export function ExtensionsWidget({ value, onChange, ids }: WidgetProps) {
  const t = useTranslations("editor.inspector");
  const { options } = useInspector();
  const chosen = Array.isArray(value) ? (value as string[]) : [];
  const labelOf = (id: string) => options.extensions.find((option) => option.id === id)?.label ?? t("missingOption", { id });
  return (
    <div className="space-y-1.5">
      {chosen.length === 0 ? <p className="text-xs text-slate-500">{t("noExtensions")}</p> : null}
      <ol className="space-y-1">
        {chosen.map((extension, index) => (
          <li key={extension} className="flex items-center gap-1 rounded-md bg-slate-50 px-2 py-1 text-sm ring-1 ring-slate-200">
            <span className="flex-1 truncate">{labelOf(extension)}</span>
            <button type="button" className={iconButtonClass} disabled={index === 0} aria-label={t("moveUp", { item: extension })} onClick={() => onChange(swapWithPrevious(chosen, index))}>
              <ArrowUp aria-hidden className="h-3.5 w-3.5" />
            </button>
            <button type="button" className={iconButtonClass} aria-label={t("remove", { item: extension })} onClick={() => onChange(chosen.filter((item) => item !== extension))}>
              <X aria-hidden className="h-3.5 w-3.5" />
            </button>
          </li>
        ))}
      </ol>
      <OptionSelect
        ids={{ ...ids, id: `${ids.id}-add` }}
        value=""
        options={options.extensions.filter((option) => !chosen.includes(option.id))}
        placeholder={t("addExtension")}
        onChange={(extension) => extension && onChange([...chosen, extension])}
      />
    </div>
  );
}

/** A queue, an outbound API (of the kind the node needs) or another flow. */
export function ReferenceWidget({ field, value, onChange, ids, nodeType }: WidgetProps & { nodeType: NodeType }) {
  const t = useTranslations("editor.inspector");
  const { options, flowId } = useInspector();
  const current = typeof value === "string" ? value : "";
  if (field.meta.widget === "queue") {
    return <OptionSelect ids={ids} value={current} options={options.queues} onChange={onChange} placeholder={t("chooseQueue")} />;
  }
  if (field.meta.widget === "flow") {
    const others = options.flows.filter((option) => option.id !== flowId);
    return <OptionSelect ids={ids} value={current} options={others} onChange={onChange} placeholder={t("chooseFlow")} />;
  }
  const definition = looseDefinition(nodeType);
  const kind = definition.references(definition.defaults).find((reference) => reference.path === `config.${field.key}`)?.apiKind;
  const apis = options.outboundApis.filter((api) => kind === undefined || api.kind === kind);
  return (
    <div className="space-y-1">
      <OptionSelect ids={ids} value={current} options={apis} onChange={onChange} placeholder={t("chooseApi")} />
      {apis.length === 0 ? (
        <p className="text-xs text-slate-500">
          {t("noApis")}{" "}
          <Link href="/api-access" className="font-medium text-brand-700 underline">
            {t("setUpApi")}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
