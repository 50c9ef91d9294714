"use client";
/**
 * The flow editor and the phone menu drawer cover the window, but the rest
 * of the portal is still in the page behind them. Making everything outside
 * inert keeps keyboard focus and screen readers inside, the way a modal
 * dialog would.
 */
import { type RefObject, useEffect } from "react";

export function useInertOutside(root: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const made: Element[] = [];
    for (let node = root.current; node && node !== window.document.body; node = node.parentElement) {
      for (const sibling of node.parentElement?.children ?? []) {
        // Native dialogs (the editor's own confirmations) live in the top layer and must stay usable.
        if (sibling !== node && !sibling.hasAttribute("inert") && sibling.tagName !== "DIALOG") {
          sibling.setAttribute("inert", "");
          made.push(sibling);
        }
      }
    }
    return () => made.forEach((element) => element.removeAttribute("inert"));
  }, [root]);
}
