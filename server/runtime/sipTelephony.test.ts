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
import { startSipEngine } from "./sipTelephony";

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
  const extension = await createExtension(db, { number: "101", name: "Reception", ownerUserId: null, enabled: true });
  const { password } = await generateSipPassword(db, extension.id);
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
