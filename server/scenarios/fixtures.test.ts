import { describe, expect, it } from "vitest";
import afterHours from "@/flows/fixtures/after-hours-voicemail.json";
import businessHours from "@/flows/fixtures/business-hours-menu.json";
import crmRouting from "@/flows/fixtures/crm-owner-routing.json";
import { flowDocument } from "@/flows/runtime/testing/testRuntime";
import { InMemoryDirectory } from "../pbx/directory";
import { runScenario, runScenarios } from "./runScenario";

/** The organisation the fixtures were written for: extensions 100–102 and a support queue served by 102. */
function fixtureDirectory() {
  const directory = new InMemoryDirectory();
  for (const number of ["100", "101", "102"]) directory.addExtension({ number, userId: `usr_${number}`, userName: `User ${number}` });
  directory.addAgent({ agentId: "agt_102", userId: "usr_102", name: "User 102", extension: "102" });
  directory.addQueue({ id: "support", strategy: "ring_all", maxWaitS: 120, wrapUpS: 5, members: [{ agentId: "agt_102", extension: "102" }] });
  return directory;
}

const context = () => ({ directory: fixtureDirectory(), flows: { loadPublished: async () => null }, logger: { debug() {}, info() {}, warn() {}, error() {} } });

describe.each([
  ["business hours + menu", businessHours],
  ["CRM owner routing", crmRouting],
  ["after-hours voicemail", afterHours],
])("saved scenarios of the %s fixture", (_name, json) => {
  it("all pass against the simulated PBX", async () => {
    const document = flowDocument(json);
    const results = await runScenarios(document, "fixture", context());
    expect(results.length).toBeGreaterThan(1);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });
});

describe("a scenario whose expectation is wrong", () => {
  it("fails and says what happened instead", async () => {
    const document = flowDocument(businessHours);
    const [scenario] = document.test_scenarios!;
    const result = await runScenario(document, "fixture", { ...scenario, expect: { answered_by: "101", disposition: "busy" } }, context());
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(["disposition: expected busy, got answered", "answered by: expected 101, got 102"]);
  });
});

describe("per-expectation results", () => {
  it("name each expectation with expected and actual, passed or not", async () => {
    const document = flowDocument(businessHours);
    const [scenario] = document.test_scenarios!;
    const result = await runScenario(
      document,
      "fixture",
      { ...scenario, expect: { ...scenario.expect, answered_by: "101", variables: { missing: 3 } } },
      context(),
    );
    expect(result.ended).toBe(true);
    expect(result.checks.map((check) => [check.kind, check.passed])).toEqual([
      ["path", true],
      ["disposition", true],
      ["answered_by", false],
      ["variable", false],
    ]);
    expect(result.checks[0]).toMatchObject({ expected: ["start", "hours", "menu", "sales"], actual: ["start", "hours", "menu", "sales"] });
    expect(result.checks[2]).toEqual({ kind: "answered_by", passed: false, expected: "101", actual: "102" });
    expect(result.checks[3]).toEqual({ kind: "variable", name: "missing", passed: false, expected: 3, actual: undefined });
    expect(result.failures).toEqual(["answered by: expected 101, got 102", "variable missing: expected 3, got undefined"]);
  });

  it("runs only the scenario asked for", async () => {
    const document = flowDocument(businessHours);
    const results = await runScenarios(document, "fixture", context(), 1);
    expect(results.map((r) => r.name)).toEqual([document.test_scenarios![1].name]);
  });
});
