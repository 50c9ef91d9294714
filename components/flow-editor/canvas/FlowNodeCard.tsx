"use client";
/**
 * The one node component for every node type, drawn from the definition:
 * icon, label, one-line summary, a target handle on the left and one labelled
 * source handle per output port. Problems show as a red or amber marker.
 */
import { memo, useEffect, useRef } from "react";
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from "@xyflow/react";
import { AlertTriangle, CircleAlert } from "lucide-react";
import { useTranslations } from "next-intl";
import { looseDefinition } from "@/flows/nodes/definitions";
import { GROUP_STYLES, NodeIcon } from "../nodeAppearance";
import type { FlowCanvasNode, Highlight } from "./canvasElements";

const HIGHLIGHT_RING: Record<Highlight, string> = {
  added: "ring-2 ring-emerald-500 bg-emerald-50",
  changed: "ring-2 ring-amber-500 bg-amber-50",
  removed: "ring-2 ring-red-400 bg-red-50 opacity-60 border-dashed",
  active: "ring-4 ring-brand-500 shadow-lg",
  visited: "ring-2 ring-brand-500/40 bg-brand-50",
};

const HIGHLIGHT_BADGE = {
  added: "bg-emerald-100 text-emerald-800",
  changed: "bg-amber-100 text-amber-800",
  removed: "bg-red-100 text-red-800",
};

function FlowNodeCardImpl({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const t = useTranslations("editor.node");
  const { node, ports, connected, errors, warnings, highlight, locale } = data;
  const definition = looseDefinition(node.type);
  const connectedPorts = new Set(connected.split(" "));
  const updateNodeInternals = useUpdateNodeInternals();
  const portKey = ports.map((port) => port.id).join(" ");
  // Renamed ports keep the node's size, so React Flow would not notice the handles moved. Not on mount: React Flow
  // measures new nodes itself, and 300 extra measurements made large flows open seconds slower.
  const measuredPorts = useRef(portKey);
  useEffect(() => {
    if (measuredPorts.current === portKey) return;
    measuredPorts.current = portKey;
    updateNodeInternals(id);
  }, [id, portKey, updateNodeInternals]);

  const border = errors > 0 ? "border-red-400" : warnings > 0 ? "border-amber-300" : "border-slate-200";
  const ring = highlight ? HIGHLIGHT_RING[highlight] : selected ? "ring-2 ring-brand-500" : "";
  return (
    <div className={`w-60 rounded-lg border bg-white text-left shadow-sm ${border} ${ring}`}>
      {node.type === "start" ? null : <Handle type="target" position={Position.Left} className="flow-handle flow-handle-target" />}
      <div className="flex items-start gap-2.5 px-3 pt-2.5 pb-2">
        <span className={`mt-0.5 flex h-7 w-7 shrink-0 items-center justify-center rounded-md ${GROUP_STYLES[definition.group]}`}>
          <NodeIcon name={definition.icon} className="h-4 w-4" />
        </span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-semibold text-slate-900">{data.label}</div>
          {data.label === data.typeLabel ? null : <div className="truncate text-[11px] text-slate-500">{data.typeLabel}</div>}
        </div>
        {highlight === "added" || highlight === "changed" || highlight === "removed" ? (
          <span className={`rounded-full px-1.5 py-0.5 text-[11px] font-semibold ${HIGHLIGHT_BADGE[highlight]}`}>{t(`highlight.${highlight}`)}</span>
        ) : errors > 0 ? (
          <span title={t("errors", { count: errors })} className="flex items-center gap-0.5 rounded-full bg-red-100 px-1.5 py-0.5 text-[11px] font-semibold text-red-700">
            <CircleAlert aria-hidden className="h-3 w-3" />
            {errors}
            <span className="sr-only">{t("errors", { count: errors })}</span>
          </span>
        ) : warnings > 0 ? (
          <span title={t("warnings", { count: warnings })} className="flex items-center gap-0.5 rounded-full bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold text-amber-800">
            <AlertTriangle aria-hidden className="h-3 w-3" />
            {warnings}
            <span className="sr-only">{t("warnings", { count: warnings })}</span>
          </span>
        ) : null}
      </div>
      {data.summary.trim() ? <p className="truncate px-3 pb-2 text-xs text-slate-600">{data.summary}</p> : null}
      {ports.length > 0 ? (
        <ul className="border-t border-slate-100 py-1">
          {ports.map((port) => (
            <li key={port.id} className="relative flex h-6 items-center justify-end pr-4 text-[11px] text-slate-600">
              <span className={port.required && !connectedPorts.has(port.id) ? "font-medium text-red-600" : ""}>{port.label[locale]}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={port.id}
                // No aria-label: a handle is a pointer-only drag point (keyboard users connect from the inspector), a div
                // without a role may not carry one, and the port's name is the visible text beside it.
                className={`flow-handle ${connectedPorts.has(port.id) ? "flow-handle-connected" : ""}`}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export const FlowNodeCard = memo(FlowNodeCardImpl);
