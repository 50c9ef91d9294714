import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./throttle";

describe("LoginThrottle", () => {
  it("blocks after the limit inside the window and lets the key try again when the window has passed", () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterMs("k")).toBe(0);
      throttle.recordFailure("k");
      now += 1_000;
    }
    expect(throttle.retryAfterMs("k")).toBe(57_000);
    expect(throttle.retryAfterMs("other")).toBe(0);
    now = 60_001;
    expect(throttle.retryAfterMs("k")).toBe(0);
  });

  it("forgets failures after a success", () => {
    const throttle = new LoginThrottle(1, 60_000, () => 0);
    throttle.recordFailure("k");
    expect(throttle.retryAfterMs("k")).toBeGreaterThan(0);
    throttle.reset("k");
    expect(throttle.retryAfterMs("k")).toBe(0);
  });
});
