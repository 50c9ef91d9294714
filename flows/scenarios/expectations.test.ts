import { describe, expect, it } from "vitest";
import { checkExpectations, describeFailure, firstDifference, sameValue } from "./expectations";

const outcome = { ended: true, path: ["start", "menu", "sales"], disposition: "answered", answeredBy: "102", variables: { tier: "gold", score: 3, tags: ["a", "b"] } };

describe("checkExpectations", () => {
  it("gives one verdict per stated expectation, in order, with expected and actual", () => {
    const checks = checkExpectations(
      { path: ["start", "menu", "support"], disposition: "answered", answered_by: "101", variables: { tier: "gold", score: "3", tags: ["a", "b"] } },
      outcome,
    );
    expect(checks).toEqual([
      { kind: "path", passed: false, expected: ["start", "menu", "support"], actual: ["start", "menu", "sales"] },
      { kind: "disposition", passed: true, expected: "answered", actual: "answered" },
      { kind: "answered_by", passed: false, expected: "101", actual: "102" },
      { kind: "variable", name: "tier", passed: true, expected: "gold", actual: "gold" },
      { kind: "variable", name: "score", passed: false, expected: "3", actual: 3 },
      { kind: "variable", name: "tags", passed: true, expected: ["a", "b"], actual: ["a", "b"] },
    ]);
  });

  it("checks nothing that is not stated", () => {
    expect(checkExpectations({}, outcome)).toEqual([]);
  });

  it("describes failures the way the CLI always has", () => {
    const [path, , answeredBy] = checkExpectations({ path: ["start"], disposition: "answered", answered_by: "101" }, { ...outcome, path: [] });
    expect(describeFailure(path)).toBe("path: expected start, the call went nowhere");
    expect(describeFailure(answeredBy)).toBe("answered by: expected 101, got 102");
  });
});

describe("firstDifference", () => {
  it("finds where two paths part", () => {
    expect(firstDifference(["a", "b", "c"], ["a", "b", "c"])).toBe(-1);
    expect(firstDifference(["a", "b", "c"], ["a", "x", "c"])).toBe(1);
    expect(firstDifference(["a", "b"], ["a", "b", "c"])).toBe(2);
    expect(firstDifference([], ["a"])).toBe(0);
  });
});

describe("sameValue", () => {
  it("compares JSON-like values structurally", () => {
    expect(sameValue({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue("1", 1)).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
  });
});
