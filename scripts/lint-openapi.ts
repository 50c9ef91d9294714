/**
 * `npm run lint:openapi`: writes the OpenAPI document exactly as
 * `GET /api/v1/openapi.json` serves it (no server: the same function builds it)
 * to a temp file and lints it with Redocly's recommended rules (`redocly.yaml`).
 * `redocly lint` exits 0 on warnings; this fails on any error or warning.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openApiJson } from "@/server/api/rest/document";

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-openapi-"));
try {
  const file = path.join(dir, "openapi.json");
  fs.writeFileSync(file, openApiJson());
  const redocly = path.join(process.cwd(), "node_modules", ".bin", "redocly");
  const result = spawnSync(redocly, ["lint", file, "--config", "redocly.yaml", "--format", "json", "--max-problems", "1000"], {
    encoding: "utf8",
    // Loopback-only machines: no telemetry, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  let report: LintReport;
  try {
    report = JSON.parse(result.stdout) as LintReport;
  } catch {
    console.error(result.stderr, result.stdout);
    throw new Error(`redocly lint gave no report (exit ${result.status})`);
  }
  for (const problem of report.problems) console.log(`${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer ?? "?"}`);
  const { errors, warnings } = report.totals;
  console.log(`OpenAPI lint (redocly.yaml: recommended rules): ${errors} errors, ${warnings} warnings`);
  process.exitCode = errors + warnings === 0 ? 0 : 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
