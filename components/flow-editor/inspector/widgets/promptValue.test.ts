import { describe, expect, it } from "vitest";
import { readPrompt, writePrompt } from "./promptValue";

describe("prompt values", () => {
  it("reads both stored forms", () => {
    expect(readPrompt("Hello")).toEqual({ text: "Hello" });
    expect(readPrompt({ text: "Hi", language: "en" })).toEqual({ text: "Hi", language: "en" });
    expect(readPrompt(undefined)).toEqual({ text: "" });
  });

  it("stores the simplest form that keeps everything", () => {
    expect(writePrompt({ text: "Hello" }, false)).toBe("Hello");
    expect(writePrompt({ text: "Hello", language: "en-GB" }, false)).toEqual({ text: "Hello", language: "en-GB" });
    expect(writePrompt({ text: "", audio_id: "a1" }, true)).toEqual({ text: "", audio_id: "a1" });
    expect(writePrompt({ text: "" }, true)).toBeUndefined();
    expect(writePrompt({ text: "" }, false)).toBe("");
  });
});
