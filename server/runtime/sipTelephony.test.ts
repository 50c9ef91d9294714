/**
 * TELEPHONY=sip wiring: the runtime's engine is the SIP edge, phones register
 * with the password stored for their extension, and the simulator refuses
 * clearly instead of pretending.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import { createTestDb } from "@/tests/helpers/db";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { createExtension } from "../services/extensions";
import { generateSipPassword } from "../services/sipCredentials";
import type { SipEngine } from "../telephony/sip/sipEngine";
import { TestPhone } from "../telephony/sip/testing/testPhone";
import { Runtime } from "./runtime";
import { outboundTrunkFromEnv, startSipEngine } from "./sipTelephony";

let db: Db;
let dir: string;
let cleanup: () => void;
let engine: SipEngine;
beforeEach(async () => {
  ({ db, dir, cleanup } = createTestDb());
  const config = { dataDir: dir, recordingsDir: path.join(dir, "recordings"), TELEPHONY: "sip", SIP_LISTEN: "127.0.0.1:0", RTP_PORTS: "41000-41099", SIP_TRUNKS: "127.0.0.2" } as AppConfig;
  engine = await startSipEngine(config, db, new MemoryLogger());
});
afterEach(async () => {
  await engine.close();
  cleanup();
});

it("phones register with their extension's stored SIP password; the simulator API refuses in sip mode", async () => {
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-runtime-"));
  const runtime = new Runtime({ db, recordingsDir, logger: new MemoryLogger(), engine });
  const extension = createExtension(db, { number: "101", name: "Reception", ownerUserId: null, enabled: true });
  const { password } = generateSipPassword(db, extension.id);
  const phone = await TestPhone.open("101", engine.local);
  try {
    expect(await phone.register("not-the-password")).toBe(401);
    expect(await phone.register(password)).toBe(200);
    expect(engine.registration("101")).not.toBeNull();
    expect(runtime.engine).toBe(engine);
    expect(() => runtime.pbx.setPhoneBehavior("101", { behavior: "busy" })).toThrow(/no simulator/);
  } finally {
    runtime.shutdown();
    await phone.close();
    fs.rmSync(recordingsDir, { recursive: true, force: true });
  }
});

it("the outbound trunk comes from the first SIP_TRUNKS address with SIP_TRUNK_PORT and the account; without SIP_TRUNKS there is none", () => {
  const config = { SIP_TRUNKS: "198.51.100.7, 198.51.100.8", SIP_TRUNK_PORT: 5080, SIP_TRUNK_USERNAME: "account1", SIP_TRUNK_PASSWORD: "secret" } as AppConfig;
  expect(outboundTrunkFromEnv(config)()).toEqual({ host: "198.51.100.7", port: 5080, username: "account1", password: "secret" });
  expect(outboundTrunkFromEnv({ ...config, SIP_TRUNKS: "" })()).toBeNull();
});
