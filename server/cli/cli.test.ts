import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";

const root = path.resolve(__dirname, "../..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-cli-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], input = "", dir = dataDir) {
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", ...args], {
    cwd: root,
    input,
    env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run cli", () => {
  it("creates a user with a password from stdin and an extension, printing JSON", () => {
    const result = cli(["user", "create", "--email", "ops@example.com", "--name", "Olga Ops", "--role", "admin", "--extension", "150", "--password-stdin"], "a long secret password\n");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ email: "ops@example.com", role: "admin", extension: "150" });
    const db = new Database(path.join(dataDir, "switchboard.db"), { readonly: true });
    const row = db.prepare("select password_hash from users where email = ?").get("ops@example.com") as { password_hash: string };
    db.close();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a password on the command line and explains why", () => {
    const result = cli(["user", "create", "--email", "x@example.com", "--name", "X", "--role", "user"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--password-stdin");
  });

  it("creates a technical user and shows the secret once, with the requested scopes", () => {
    const result = cli(["technical-user", "create", "--name", "MiniCRM", "--scopes", "calls:write,phonebook:read"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.client_id).toMatch(/^sb_/);
    expect(json.client_secret.length).toBeGreaterThanOrEqual(40);
    expect(json.scopes).toEqual(["calls:write", "phonebook:read"]);
    expect(fs.readFileSync(path.join(dataDir, "switchboard.db")).includes(json.client_secret)).toBe(false);
  });

  it("rejects an unknown scope with a clear message", () => {
    const result = cli(["technical-user", "create", "--name", "Bad", "--scopes", "root"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/scopes/);
  });

  it("seeds the demo once", () => {
    expect(JSON.parse(cli(["demo", "seed"]).stdout).seeded).toBe(true);
    expect(JSON.parse(cli(["demo", "seed"]).stdout).seeded).toBe(false);
  });

  it("runs a flow's saved scenarios: the demo reception flow passes, a wrong expectation fails with exit code 1", () => {
    const db = new Database(path.join(dataDir, "switchboard.db"), { readonly: true });
    const { id } = db.prepare("select id from flows limit 1").get() as { id: string };
    const queue = db.prepare("select id from queues limit 1").get() as { id: string };
    db.close();
    const passing = cli(["flows", "test", id]);
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout)).toMatchObject({ passed: true, failed: 0, scenarios: 3 });

    const file = path.join(dataDir, "wrong.json");
    const fixture = JSON.parse(fs.readFileSync(path.join(root, "flows/fixtures/business-hours-menu.json"), "utf8"));
    fixture.test_scenarios = [{ ...fixture.test_scenarios[1], expect: { path: ["start", "hours", "menu"] } }];
    // Scenarios run against this installation: the file's queue must be one of ours.
    fixture.nodes.find((n: { type: string }) => n.type === "queue").config.queue_id = queue.id;
    fs.writeFileSync(file, JSON.stringify(fixture));
    const failing = cli(["flows", "test", file]);
    expect(failing.code).toBe(1);
    const report = JSON.parse(failing.stdout);
    expect(report.results[0].failures[0]).toContain("the call went start → hours → closed → bye");

    // A flow that does not validate here is reported, not run.
    fixture.nodes.find((n: { type: string }) => n.type === "queue").config.queue_id = "que_missing";
    fs.writeFileSync(file, JSON.stringify(fixture));
    const invalid = cli(["flows", "test", file]);
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout).invalid.join(" ")).toContain("que_missing");
  });

  it("stops with a clear message on a corrupt database", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-corrupt-"));
    fs.writeFileSync(path.join(dir, "switchboard.db"), "garbage ".repeat(1000));
    const result = cli(["demo", "seed"], "", dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot be opened");
  });
});
