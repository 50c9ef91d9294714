/** Small helpers that keep the starter templates readable: nodes on a grid, edges as "node:port->node". */
import type { Locale } from "@/flows/model/types";

export const COLUMN = 320;
export const ROW = 170;

export interface TemplateNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  label?: string;
  config: Record<string, unknown>;
}

export function node(id: string, type: string, column: number, row: number, config: Record<string, unknown> = {}, label?: string): TemplateNode {
  return { id, type, position: { x: column * COLUMN, y: row * ROW }, ...(label ? { label } : {}), config };
}

/** `"menu:1->sales"` → an edge from menu's output "1" to sales. */
export function edges(...links: string[]) {
  return links.map((link, index) => {
    const [from, target] = link.split("->");
    const [source, source_port] = from.split(":");
    return { id: `e${index + 1}`, source, source_port, target };
  });
}

export function say(locale: Locale, en: string, hu: string): string {
  return locale === "hu" ? hu : en;
}
