"use client";
/** Editor shortcuts on the whole page, except while typing in a field or with a dialog open. */
import { useEffect } from "react";
import { type ShortcutAction, isTypingTarget, shortcutFor } from "../shortcuts";

export function useKeyboardShortcuts(handlers: Record<ShortcutAction, () => void>, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isTypingTarget(event.target) || window.document.querySelector("dialog[open]")) return;
      const action = shortcutFor(event);
      if (!action) return;
      event.preventDefault();
      handlers[action]();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [handlers, enabled]);
}
