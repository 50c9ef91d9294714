import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";
import { createTestRuntime } from "@/flows/runtime/testing/testRuntime";
import { dayRanges, timeConditionDefinition } from "./definition";

const officeHours = { schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }], use_public_holidays: true };

it("reads the injected clock: open on a Monday morning in Budapest", async () => {
  const runtime = createTestRuntime({ start: "2026-01-05T08:30:00Z" }); // 09:30 CET
  const { next } = await runNode("time_condition", officeHours, { runtime });
  expect(outcomeOf(next)).toBe("open");
  expect(next.output).toMatchObject({ open: true, local_date: "2026-01-05", local_weekday: "mon", local_minutes: 570 });
});

it("is closed in the evening and on Easter Monday", async () => {
  const evening = await runNode("time_condition", officeHours, { runtime: createTestRuntime({ start: "2026-01-05T17:30:00Z" }) });
  expect(outcomeOf(evening.next)).toBe("closed");
  const easter = await runNode("time_condition", officeHours, { runtime: createTestRuntime({ start: "2026-04-06T08:30:00Z" }) });
  expect(outcomeOf(easter.next)).toBe("closed");
});

it("summarises opening days as people write them, in the admin's language", () => {
  expect(dayRanges(["fri", "mon", "tue", "wed", "thu"], "en")).toBe("Mon–Fri");
  expect(dayRanges(["mon", "tue", "wed", "thu", "fri", "sat"], "hu")).toBe("H–Szo");
  expect(dayRanges(["mon", "wed", "fri"], "en")).toBe("Mon, Wed, Fri");
  expect(dayRanges(["mon", "tue", "thu", "fri", "sat"], "en")).toBe("Mon, Tue, Thu–Sat");
  const config = timeConditionDefinition.configSchema.parse(officeHours);
  expect(timeConditionDefinition.summary(config, "hu")).toBe("H–P 08:00–17:00");
});
