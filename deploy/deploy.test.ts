/**
 * The deployment files shipped in deploy/ (README.md, "Deployment on PostgreSQL, several processes") stay valid:
 * each systemd instance's settings pass the product's own configuration check, the instances together run every
 * role with the ports the README names, and the Procfile starts the same instances with the same roles and ports.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getConfig, resetConfigForTests } from "@/server/config";

const deploy = __dirname;
const envFolder = path.join(deploy, "systemd", "env");

function readEnv(file: string): Record<string, string> {
  const entries = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

const common = readEnv(path.join(envFolder, "common.env"));
const instances = Object.fromEntries(
  fs
    .readdirSync(envFolder)
    .filter((file) => file.endsWith(".env") && file !== "common.env")
    .map((file) => [path.basename(file, ".env"), readEnv(path.join(envFolder, file))]),
);

/** Procfile lines `name: VAR=value … node scripts/start.mjs` → their variables and command. */
function procfile(): Record<string, { env: Record<string, string>; command: string }> {
  const lines = fs.readFileSync(path.join(deploy, "Procfile"), "utf8").split("\n").filter((line) => line.trim() && !line.startsWith("#"));
  return Object.fromEntries(
    lines.map((line) => {
      const [name, rest] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim().split(/\s+/)];
      const assignments = rest.filter((word) => /^[A-Z_]+=/.test(word));
      return [name, { env: Object.fromEntries(assignments.map((word) => word.split("=", 2) as [string, string])), command: rest.slice(assignments.length).join(" ") }];
    }),
  );
}

describe("deploy/: the systemd template unit, its env files and the Procfile", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
  });

  it("gives every instance settings the configuration check accepts, on its own port", () => {
    const ports = new Set<number>();
    for (const [name, own] of Object.entries(instances)) {
      process.env = { NODE_ENV: "test", PATH: saved.PATH, ...common, ...own };
      resetConfigForTests();
      const config = (() => {
        try {
          return getConfig();
        } catch (error) {
          throw new Error(`${name}.env: ${(error as Error).message}`);
        }
      })();
      expect(config.DATABASE_URL, name).toMatch(/^postgres:\/\//);
      ports.add(config.PORT);
    }
    expect(ports.size).toBe(Object.keys(instances).length);
  });

  it("runs the worked example: two web,api, one runtime, two worker processes, every role covered", () => {
    const roles = Object.values(instances).map((env) => env.SWITCHBOARD_ROLES);
    expect(roles.sort()).toEqual(["runtime", "web,api", "web,api", "worker", "worker"]);
    expect(common.SWITCHBOARD_SECRET).toBeDefined();
    expect(common).not.toHaveProperty("SWITCHBOARD_ROLES");
  });

  it("has the Procfile start the same instances with the same roles and ports, through the production start script", () => {
    const processes = procfile();
    expect(Object.keys(processes).sort()).toEqual(Object.keys(instances).sort());
    for (const [name, { env, command }] of Object.entries(processes)) {
      expect({ name, roles: env.SWITCHBOARD_ROLES, port: env.PORT }).toEqual({ name, roles: instances[name]!.SWITCHBOARD_ROLES, port: instances[name]!.PORT });
      expect(command).toBe("node scripts/start.mjs");
    }
    const unit = fs.readFileSync(path.join(deploy, "systemd", "switchboard@.service"), "utf8");
    expect(unit).toContain("ExecStart=/usr/bin/node scripts/start.mjs");
    expect(unit).toContain("EnvironmentFile=/etc/switchboard/%i.env");
    expect(fs.existsSync(path.join(deploy, "..", "scripts", "start.mjs"))).toBe(true);
  });
});
