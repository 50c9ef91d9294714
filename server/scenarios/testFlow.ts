import fs from "node:fs";
import type { Db } from "../db/client";
import { parseFlowDocument } from "@/flows/model/document";
import type { FlowDocument } from "@/flows/model/types";
import { databaseReferences, getFlow, loadPublishedDocument } from "../services/flows";
import { validateFlow } from "@/flows/validation/validateFlow";
import { ServiceError } from "../services/errors";
import { SqliteDirectory } from "../runtime/sqliteDirectory";
import { componentLogger } from "../logger";
import { runScenarios, type ScenarioResult } from "./runScenario";

export interface FlowTestReport {
  flow: string;
  passed: boolean;
  /** Validation errors that kept the scenarios from running. */
  invalid?: string[];
  scenarios: number;
  failed: number;
  results: ScenarioResult[];
}

async function readTarget(db: Db, target: string): Promise<{ document: FlowDocument; flowId: string }> {
  if (fs.existsSync(target)) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(target, "utf8"));
    } catch (error) {
      throw new ServiceError("invalid", `${target} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = parseFlowDocument(json);
    if (!parsed.ok) throw new ServiceError("invalid", `${target}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    return { document: parsed.document, flowId: target };
  }
  return { document: (await getFlow(db, target)).draft, flowId: target };
}

/**
 * Runs the saved scenarios of a flow file or of a stored flow's draft against
 * the simulated PBX, with this installation's extensions, queues and phonebook.
 */
export async function testFlow(db: Db, target: string, options: { scenario?: number } = {}): Promise<FlowTestReport> {
  const { document, flowId } = await readTarget(db, target);
  const validation = validateFlow(document, await databaseReferences(db), { flowId });
  if (!validation.valid) {
    const failures = validation.errors.map((e) => `${e.node_id ? `${e.node_id}: ` : ""}${e.message}`);
    return { flow: document.name, passed: false, scenarios: 0, failed: 0, results: [], invalid: failures };
  }
  const results = await runScenarios(document, flowId, {
    directory: new SqliteDirectory(db),
    flows: { loadPublished: (id) => loadPublishedDocument(db, id) },
    logger: componentLogger("scenarios"),
  }, options.scenario);
  const failed = results.filter((r) => !r.passed).length;
  return { flow: document.name, passed: failed === 0, scenarios: results.length, failed, results };
}
