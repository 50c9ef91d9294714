import { expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import { ManualClock } from "@/flows/runtime/testing/manualClock";

it("fires due timers in time order, including ones scheduled while advancing", () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("b@200"), 200);
  clock.setTimeout(() => {
    fired.push("a@100");
    clock.setTimeout(() => fired.push("c@150"), 50);
  }, 100);
  const cancelled = clock.setTimeout(() => fired.push("never"), 120);
  clock.clearTimeout(cancelled);
  clock.advance(199);
  expect(fired).toEqual(["a@100", "c@150"]);
  expect(clock.now()).toBe(199);
  clock.runAll();
  expect(fired).toEqual(["a@100", "c@150", "b@200"]);
  expect(clock.now()).toBe(200);
});

it("refuses to run a timer that reschedules itself forever", () => {
  const clock = new ManualClock(0);
  const again = () => void clock.setTimeout(again, 1);
  again();
  expect(() => clock.runAll(50)).toThrow(/more than 50/);
});

it("the system clock schedules and cancels real timers", async () => {
  let fired = false;
  const handle = systemClock.setTimeout(() => (fired = true), 1);
  systemClock.clearTimeout(handle);
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(fired).toBe(false);
  expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
});
