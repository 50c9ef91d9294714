"use client";
/**
 * Every node type, grouped as admins think of them. Drag one onto the canvas,
 * or press it (keyboard users too) to add it in the middle of the view.
 */
import { type DragEvent, useId, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { Search } from "lucide-react";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import type { Locale, NodeType } from "@/flows/model/types";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { NODE_DRAG_TYPE } from "./canvas/FlowCanvas";
import { GROUP_ORDER, GROUP_STYLES, NodeIcon } from "./nodeAppearance";

// A flow has exactly one start node, so it is never offered.
const PALETTE_TYPES = NODE_TYPES.filter((type) => type !== "start");

export function Palette({ onAdd }: { onAdd: (type: NodeType) => void }) {
  const t = useTranslations("editor.palette");
  const locale = useLocale() as Locale;
  const [query, setQuery] = useState("");
  const searchId = useId();
  const needle = query.trim().toLowerCase();
  const matches = (type: NodeType) =>
    needle === "" ||
    nodeDefinitions[type].label[locale].toLowerCase().includes(needle) ||
    nodeDefinitions[type].description[locale].toLowerCase().includes(needle);

  function onDragStart(event: DragEvent, type: NodeType) {
    event.dataTransfer.setData(NODE_DRAG_TYPE, type);
    event.dataTransfer.effectAllowed = "copy";
  }

  return (
    <section aria-label={t("title")} className="flex h-full w-56 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="border-b border-slate-100 p-3">
        <h2 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{t("title")}</h2>
        <label htmlFor={searchId} className="sr-only">
          {t("search")}
        </label>
        <div className="relative mt-2">
          <Search aria-hidden className="pointer-events-none absolute top-2 left-2 h-4 w-4 text-slate-400" />
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder={t("search")}
            className="w-full rounded-md border-0 py-1.5 pr-2 pl-8 text-sm ring-1 ring-slate-200 placeholder:text-slate-400 focus:ring-2 focus:ring-brand-500"
          />
        </div>
        <p className="mt-2 text-[11px] leading-snug text-slate-500">{t("hint")}</p>
      </div>
      <div className="flex-1 space-y-4 overflow-y-auto p-3">
        {GROUP_ORDER.map((group) => {
          const types = PALETTE_TYPES.filter((type) => nodeDefinitions[type].group === group && matches(type));
          if (types.length === 0) return null;
          return (
            <div key={group} role="group" aria-labelledby={`palette-${group}`}>
              <h3 id={`palette-${group}`} className="mb-1.5 text-[11px] font-semibold tracking-wide text-slate-500 uppercase">
                {t(`groups.${group}`)}
              </h3>
              <ul className="space-y-1">
                {types.map((type) => {
                  const definition = nodeDefinitions[type];
                  return (
                    <li key={type}>
                      <button
                        type="button"
                        draggable
                        onDragStart={(event) => onDragStart(event, type)}
                        onClick={() => onAdd(type)}
                        title={definition.description[locale]}
                        className="flex w-full cursor-grab items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm text-slate-800 ring-1 ring-transparent hover:bg-slate-50 hover:ring-slate-200 active:cursor-grabbing"
                      >
                        <span className={`flex h-6 w-6 shrink-0 items-center justify-center rounded ${GROUP_STYLES[group]}`}>
                          <NodeIcon name={definition.icon} className="h-3.5 w-3.5" />
                        </span>
                        <span className="leading-tight">{definition.label[locale]}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
}
