/**
 * Keyboard shortcuts: one list drives both the key handling and the help
 * dialog, so the dialog cannot drift from what the keys do. "Mod" is Ctrl
 * (⌘ on a Mac). Entries without an action are handled by React Flow itself
 * and listed for the help dialog only.
 */

export type ShortcutAction = "undo" | "redo" | "copy" | "cut" | "paste" | "duplicate" | "selectAll" | "delete" | "save" | "fitView" | "layout" | "help";

export interface Shortcut {
  /** i18n key under editor.shortcuts.actions */
  id: string;
  keys: string[];
  action?: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: "undo", keys: ["Mod+Z"], action: "undo" },
  { id: "redo", keys: ["Mod+Shift+Z", "Mod+Y"], action: "redo" },
  { id: "copy", keys: ["Mod+C"], action: "copy" },
  { id: "cut", keys: ["Mod+X"], action: "cut" },
  { id: "paste", keys: ["Mod+V"], action: "paste" },
  { id: "duplicate", keys: ["Mod+D"], action: "duplicate" },
  { id: "selectAll", keys: ["Mod+A"], action: "selectAll" },
  { id: "delete", keys: ["Delete", "Backspace"], action: "delete" },
  { id: "multiSelect", keys: ["Mod+Click", "Shift+Drag"] },
  { id: "move", keys: ["↑ ↓ ← →"] },
  { id: "save", keys: ["Mod+S"], action: "save" },
  { id: "fitView", keys: ["F"], action: "fitView" },
  { id: "layout", keys: ["Shift+L"], action: "layout" },
  { id: "help", keys: ["?"], action: "help" },
];

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

function matches(combo: string, press: KeyPress): boolean {
  const parts = combo.split("+");
  const key = parts.at(-1) as string;
  const mod = parts.includes("Mod");
  const shift = parts.includes("Shift");
  if (press.altKey || mod !== (press.ctrlKey || press.metaKey)) return false;
  // "?" is typed with Shift on most layouts, so Shift only counts for letter keys.
  if (key.length === 1 && /[A-Z]/.test(key)) return shift === press.shiftKey && press.key.toUpperCase() === key;
  return press.key === key;
}

export function shortcutFor(press: KeyPress): ShortcutAction | null {
  for (const shortcut of SHORTCUTS) {
    if (shortcut.action && shortcut.keys.some((combo) => matches(combo, press))) return shortcut.action;
  }
  return null;
}

/** Typing in a field keeps the browser's own keys (copy, undo, select all in that field). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
