/**
 * How node types look: the lucide icon a definition names, and a colour per
 * palette group so admins recognise kinds of nodes at a glance.
 */
import {
  BellRing,
  Circle,
  Clock,
  CornerDownRight,
  DatabaseZap,
  GitBranch,
  Grid3x3,
  Keyboard,
  ListOrdered,
  type LucideIcon,
  PhoneForwarded,
  PhoneIncoming,
  PhoneOff,
  PhoneOutgoing,
  Send,
  Users,
  Variable,
  Voicemail,
  Volume2,
} from "lucide-react";
import { createElement } from "react";
import type { NodeGroup } from "@/flows/model/types";

// Listed one by one: importing lucide's whole icon index would ship every icon to the browser.
const icons: Readonly<Record<string, LucideIcon>> = {
  "bell-ring": BellRing,
  clock: Clock,
  "corner-down-right": CornerDownRight,
  "database-zap": DatabaseZap,
  "git-branch": GitBranch,
  "grid-3x3": Grid3x3,
  keyboard: Keyboard,
  "list-ordered": ListOrdered,
  "phone-forwarded": PhoneForwarded,
  "phone-incoming": PhoneIncoming,
  "phone-off": PhoneOff,
  "phone-outgoing": PhoneOutgoing,
  send: Send,
  users: Users,
  variable: Variable,
  voicemail: Voicemail,
  "volume-2": Volume2,
};

export function iconFor(name: string): LucideIcon {
  return icons[name] ?? Circle;
}

/** A definition's icon by name (decorative: the label always sits next to it). */
export function NodeIcon({ name, className }: { name: string; className: string }) {
  return createElement(iconFor(name), { "aria-hidden": true, className });
}

export const GROUP_ORDER: readonly NodeGroup[] = ["prompts", "routing", "call_centre", "crm", "control"];

/** Tailwind classes per group: icon tile colours. */
export const GROUP_STYLES: Readonly<Record<NodeGroup, string>> = {
  prompts: "bg-sky-100 text-sky-700",
  routing: "bg-violet-100 text-violet-700",
  call_centre: "bg-amber-100 text-amber-700",
  crm: "bg-emerald-100 text-emerald-700",
  control: "bg-slate-200 text-slate-700",
};
