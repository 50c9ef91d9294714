"use client";
import { useTranslations } from "next-intl";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";
import { SHORTCUTS } from "./shortcuts";

/** Every keyboard shortcut, from the same list the key handling uses. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useTranslations("editor.shortcuts");
  const common = useTranslations("common");
  const isMac = typeof navigator !== "undefined" && /Mac/.test(navigator.platform);
  const keyName = (combo: string) => combo.replace("Mod", isMac ? "⌘" : "Ctrl").replace("Click", t("click")).replace("Drag", t("drag"));
  return (
    <Modal open={open} title={t("title")} onClose={onClose}>
      <table className="w-full text-sm">
        <tbody className="divide-y divide-slate-100">
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.id}>
              <td className="py-1.5 pr-4 text-slate-700">{t(`actions.${shortcut.id}`)}</td>
              <td className="py-1.5 text-right whitespace-nowrap">
                {shortcut.keys.map((combo) => (
                  <kbd key={combo} className="ml-1 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 ring-1 ring-slate-200">
                    {keyName(combo)}
                  </kbd>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="mt-5 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          {common("close")}
        </Button>
      </div>
    </Modal>
  );
}
