import { describe, expect, it } from "vitest";
import { shortcutFor } from "./shortcuts";

const press = (key: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...modifiers,
});

describe("keyboard shortcuts", () => {
  it("maps key presses to editor actions", () => {
    expect(shortcutFor(press("z", { ctrlKey: true }))).toBe("undo");
    expect(shortcutFor(press("z", { metaKey: true }))).toBe("undo");
    expect(shortcutFor(press("Z", { ctrlKey: true, shiftKey: true }))).toBe("redo");
    expect(shortcutFor(press("y", { ctrlKey: true }))).toBe("redo");
    expect(shortcutFor(press("v", { ctrlKey: true }))).toBe("paste");
    expect(shortcutFor(press("f"))).toBe("fitView");
    expect(shortcutFor(press("L", { shiftKey: true }))).toBe("layout");
    expect(shortcutFor(press("?", { shiftKey: true }))).toBe("help");
    expect(shortcutFor(press("Delete"))).toBe("delete");
    expect(shortcutFor(press("Backspace"))).toBe("delete");
  });

  it("ignores plain typing and other combinations", () => {
    expect(shortcutFor(press("z"))).toBeNull();
    expect(shortcutFor(press("l"))).toBeNull();
    expect(shortcutFor(press("z", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(shortcutFor(press("Delete", { ctrlKey: true }))).toBeNull();
  });
});
