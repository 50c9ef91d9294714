import { describe, expect, it } from "vitest";
import { outboundApiInputSchema } from "@/lib/schemas/integration";
import type { Preset } from "@/server/integration/presets";
import { applyPreset, emptyForm, formatInterval, inputFromForm, parseInterval } from "./formState";

describe("outbound API form state", () => {
  it("reads and writes retry waits as 30s / 5m / 2h", () => {
    expect([parseInterval("30s"), parseInterval("5m"), parseInterval("2h"), parseInterval("45"), parseInterval("5 min")]).toEqual([30, 300, 7200, 45, null]);
    expect([5, 300, 1800, 7200, 90].map(formatInterval)).toEqual(["5s", "5m", "30m", "2h", "90s"]);
  });

  it("turns a filled form into input the shared schema accepts, with the default retry schedule", () => {
    const form = { ...emptyForm("end_of_call"), name: "CRM", url: "https://crm.example.com/cdr", authType: "bearer" as const, authSecret: "tok" };
    const parsed = outboundApiInputSchema.parse(inputFromForm(form));
    expect(parsed).toMatchObject({ kind: "end_of_call", auth: { type: "bearer", token: "tok" }, recording_format: "wav", retry: { count: 7, intervals_s: [5, 300, 1800, 7200, 18000, 36000, 36000] } });
    expect(outboundApiInputSchema.parse(inputFromForm({ ...form, recordingFormat: "mp3" }))).toMatchObject({ recording_format: "mp3" });
  });

  it("leaves an empty secret out, so the stored one is kept", () => {
    const input = inputFromForm({ ...emptyForm("data_lookup"), name: "L", url: "https://crm.example.com/l", authType: "basic", username: "u" });
    expect(input.auth).toEqual({ type: "basic", username: "u", password: undefined });
  });

  it("lets the schema reject a wait it cannot read", () => {
    const form = { ...emptyForm("incoming_notification"), name: "N", url: "https://crm.example.com/n", intervals: ["5s", "soon"] };
    expect(outboundApiInputSchema.safeParse(inputFromForm(form)).success).toBe(false);
  });

  it("fills the form from a preset's data, leaving what it does not set", () => {
    const preset: Preset = {
      id: "crm_x",
      label: { en: "X", hu: "X" },
      description: { en: "", hu: "" },
      kinds: ["end_of_call"],
      values: { apply_to: "all_calls", send_partials: false, recording_format: "mp3", auth: { type: "none" }, body_template: '{"ReferenceId": {{ summary.recording_code | json }}}' },
    };
    const form = applyPreset({ ...emptyForm("end_of_call"), name: "Kept", method: "PUT" }, preset);
    expect(form).toMatchObject({ name: "Kept", method: "PUT", preset: "crm_x", applyTo: "all_calls", sendPartials: false, sendRecordings: true, recordingFormat: "mp3", authType: "none" });
    expect(form.bodyTemplate).toContain('"ReferenceId"');
  });
});
