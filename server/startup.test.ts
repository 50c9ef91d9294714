import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureDataDir, getAppSecret, getConfig, hasRole, resetConfigForTests, StartupError } from "./config";
import { openDatabase } from "./db/client";

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-startup-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  resetConfigForTests();
});

describe("start-up checks", () => {
  it("names the variable when the environment is invalid", () => {
    const saved = process.env.PORT;
    process.env.PORT = "not-a-port";
    try {
      expect(() => getConfig()).toThrow(/PORT/);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it("validates the SIP edge's settings, naming the variable", () => {
    const names = ["TELEPHONY", "SIP_LISTEN", "RTP_PORTS", "SIP_TRUNKS"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      process.env.TELEPHONY = "sip";
      process.env.SIP_LISTEN = "127.0.0.1:5070";
      process.env.RTP_PORTS = "40000-40099";
      process.env.SIP_TRUNKS = "198.51.100.7, 198.51.100.8";
      expect(getConfig()).toMatchObject({ TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:5070", RTP_PORTS: "40000-40099" });
      for (const [name, bad] of [["TELEPHONY", "asterisk"], ["SIP_LISTEN", "localhost"], ["RTP_PORTS", "40000"], ["RTP_PORTS", "40099-40000"], ["SIP_TRUNKS", "trunk.example.com"]] as const) {
        resetConfigForTests();
        const good = process.env[name];
        process.env[name] = bad;
        expect(() => getConfig()).toThrow(new RegExp(name));
        process.env[name] = good;
      }
    } finally {
      names.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
    }
  });

  it("takes a PostgreSQL DATABASE_URL and refuses anything else, naming the variable", () => {
    const saved = process.env.DATABASE_URL;
    try {
      delete process.env.DATABASE_URL;
      expect(getConfig().DATABASE_URL).toBeUndefined(); // SQLite in DATA_DIR
      for (const good of ["postgres://switchboard:secret@db.example.com:5432/switchboard", "postgresql://localhost/switchboard"]) {
        resetConfigForTests();
        process.env.DATABASE_URL = good;
        expect(getConfig().DATABASE_URL).toBe(good);
      }
      for (const bad of ["mysql://localhost/switchboard", "postgres://localhost", "./data/switchboard.db", ""]) {
        resetConfigForTests();
        process.env.DATABASE_URL = bad;
        expect(() => getConfig()).toThrow(/DATABASE_URL/);
      }
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it("reads SWITCHBOARD_ROLES: all four by default, a part only on PostgreSQL with a shared secret, anything else refused naming the variable", () => {
    const names = ["SWITCHBOARD_ROLES", "DATABASE_URL", "SWITCHBOARD_SECRET", "NEXTAUTH_SECRET", "SWITCHBOARD_INTERNAL_URL"] as const;
    const saved = names.map((name) => process.env[name]);
    const configWith = (env: Partial<Record<(typeof names)[number], string>>) => {
      names.forEach((name) => delete process.env[name]);
      Object.assign(process.env, env);
      resetConfigForTests();
      return getConfig();
    };
    const postgres = { DATABASE_URL: "postgres://switchboard@localhost/switchboard", SWITCHBOARD_SECRET: "a shared secret" };
    try {
      expect([...configWith({}).SWITCHBOARD_ROLES].sort()).toEqual(["api", "runtime", "web", "worker"]);
      expect(hasRole("worker", configWith({ SWITCHBOARD_ROLES: "worker, runtime,api,web" }))).toBe(true); // the full set needs nothing more
      const worker = configWith({ ...postgres, SWITCHBOARD_ROLES: "worker" });
      expect([hasRole("worker", worker), hasRole("runtime", worker), hasRole("api", worker), hasRole("web", worker)]).toEqual([true, false, false, false]);
      expect([...configWith({ ...postgres, SWITCHBOARD_ROLES: " web , api " }).SWITCHBOARD_ROLES]).toEqual(["web", "api"]);
      for (const bad of ["", "web,apis", "web,web", "runtime;worker", ","]) {
        expect(() => configWith({ ...postgres, SWITCHBOARD_ROLES: bad }), bad).toThrow(/SWITCHBOARD_ROLES: must be a comma-separated list of web, api, runtime, worker/);
      }
      expect(() => configWith({ ...postgres, SWITCHBOARD_ROLES: "web,apis" })).toThrow(/unknown: apis/);
      expect(() => configWith({ SWITCHBOARD_ROLES: "runtime", SWITCHBOARD_SECRET: "s" })).toThrow(/SWITCHBOARD_ROLES: .*several processes.*DATABASE_URL=postgres:\/\//);
      expect(() => configWith({ SWITCHBOARD_ROLES: "web,api", DATABASE_URL: postgres.DATABASE_URL })).toThrow(/SWITCHBOARD_SECRET: is required/);
      expect(() => configWith({ ...postgres, SWITCHBOARD_ROLES: "runtime", SWITCHBOARD_INTERNAL_URL: "10.0.0.5:3000" })).toThrow(/SWITCHBOARD_INTERNAL_URL/);
      expect(configWith({ ...postgres, SWITCHBOARD_ROLES: "runtime", SWITCHBOARD_INTERNAL_URL: "http://10.0.0.5:3000" }).SWITCHBOARD_INTERNAL_URL).toBe("http://10.0.0.5:3000");
    } finally {
      names.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
      resetConfigForTests();
    }
  });

  it("validates the outbound trunk's account settings, naming the variable and never echoing the password", () => {
    const names = ["SIP_TRUNK_PORT", "SIP_TRUNK_USERNAME", "SIP_TRUNK_PASSWORD"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      names.forEach((name) => delete process.env[name]);
      resetConfigForTests();
      const defaults = getConfig();
      expect([defaults.SIP_TRUNK_PORT, defaults.SIP_TRUNK_USERNAME, defaults.SIP_TRUNK_PASSWORD]).toEqual([5060, undefined, undefined]);
      resetConfigForTests();
      process.env.SIP_TRUNK_PASSWORD = "s3cret-trunk-password";
      expect(() => getConfig()).toThrow(/SIP_TRUNK_USERNAME: is required when SIP_TRUNK_PASSWORD is set/);
      expect(() => getConfig()).not.toThrow(/s3cret-trunk-password/);
      resetConfigForTests();
      process.env.SIP_TRUNK_USERNAME = "account 1";
      expect(() => getConfig()).toThrow(/SIP_TRUNK_USERNAME/);
      resetConfigForTests();
      process.env.SIP_TRUNK_USERNAME = "account1";
      process.env.SIP_TRUNK_PORT = "5080";
      expect(getConfig()).toMatchObject({ SIP_TRUNK_PORT: 5080, SIP_TRUNK_USERNAME: "account1", SIP_TRUNK_PASSWORD: "s3cret-trunk-password" });
      resetConfigForTests();
      process.env.SIP_TRUNK_PORT = "70000";
      expect(() => getConfig()).toThrow(/SIP_TRUNK_PORT/);
    } finally {
      names.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
      resetConfigForTests();
    }
  });

  it("refuses a data folder it cannot create or write, saying where", () => {
    // A path below a regular file cannot become a folder, whatever the user's rights (tests run as root in CI).
    const blocker = path.join(tempDir(), "a-file");
    fs.writeFileSync(blocker, "");
    const dataDir = path.join(blocker, "data");
    const config = { ...getConfig(), dataDir, recordingsDir: path.join(dataDir, "recordings") };
    expect(() => ensureDataDir(config)).toThrow(StartupError);
    expect(() => ensureDataDir(config)).toThrow(dataDir);
  });

  it("refuses a corrupt database file with a message that names it, and leaves the file alone", () => {
    const file = path.join(tempDir(), "switchboard.db");
    const garbage = Buffer.from("this is not a sqlite database, just some bytes ".repeat(200));
    fs.writeFileSync(file, garbage);
    expect(() => openDatabase(file)).toThrow(StartupError);
    expect(() => openDatabase(file)).toThrow(file);
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it("generates the app secret once, owner-readable only, and reuses it", () => {
    const dir = tempDir();
    const config = { ...getConfig(), dataDir: dir, recordingsDir: path.join(dir, "recordings") };
    const saved = [process.env.SWITCHBOARD_SECRET, process.env.NEXTAUTH_SECRET];
    delete process.env.SWITCHBOARD_SECRET;
    delete process.env.NEXTAUTH_SECRET;
    try {
      const first = getAppSecret(config);
      expect(first.length).toBeGreaterThanOrEqual(40);
      expect(getAppSecret(config)).toBe(first);
      expect(fs.statSync(path.join(dir, "app-secret")).mode & 0o077).toBe(0);
    } finally {
      [process.env.SWITCHBOARD_SECRET, process.env.NEXTAUTH_SECRET] = saved;
    }
  });
});
