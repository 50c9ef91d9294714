/**
 * The registrar over loopback UDP: a TypeScript phone registers with digest
 * authentication; wrong passwords are refused and, repeated, throttled.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import { DigestAuthenticator, digestResponse, NONCE_LIFETIME_MS, parseDigestAuthorization } from "./digest";
import { MAX_FAILURES } from "./registrar";
import { SipEngine } from "./sipEngine";
import { missingSippTools, REGISTER_SCENARIO, runSipp } from "./testing/sipp";
import { TestPhone } from "./testing/testPhone";

const warnings: { fields: unknown; message: string }[] = [];
const logger = { debug: () => undefined, info: () => undefined, warn: (fields: unknown, message: string) => warnings.push({ fields, message }), error: () => undefined };
const PASSWORDS: Record<string, string> = { "101": "correct-horse-101", "102": "battery-staple-102" };

let engine: SipEngine;
let phones: TestPhone[];

beforeEach(async () => {
  warnings.length = 0;
  phones = [];
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: [],
    prompts: { pcm: async () => new Int16Array(0) },
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test-secret"), password: (extension) => PASSWORDS[extension] ?? null },
  });
});

afterEach(async () => {
  await Promise.all([engine.close(), ...phones.map((phone) => phone.close())]);
});

async function phone(extension: string): Promise<TestPhone> {
  const opened = await TestPhone.open(extension, engine.local);
  phones.push(opened);
  return opened;
}

describe("registration", () => {
  it("the right password registers the phone's contact; Expires: 0 removes it", async () => {
    const p101 = await phone("101");
    expect(engine.registration("101")).toBeNull();
    expect(await p101.register(PASSWORDS["101"])).toBe(200);
    expect(p101.sip.responses("REGISTER").map((response) => response.status)).toEqual([401, 200]);
    expect(engine.registration("101")).toMatchObject({ contact: `sip:101@127.0.0.1:${p101.sip.local.port}`, peer: p101.sip.local });
    expect(await p101.register(PASSWORDS["101"], { expires: 0 })).toBe(200);
    expect(engine.registration("101")).toBeNull();
  });

  it("a wrong password, another extension's password or an unknown extension is challenged again, never registered; nothing secret is logged", async () => {
    const p101 = await phone("101");
    expect(await p101.register("wrong")).toBe(401);
    expect(await p101.register(PASSWORDS["102"])).toBe(401);
    const p999 = await phone("999");
    expect(await p999.register("anything")).toBe(401);
    expect(engine.registration("101")).toBeNull();
    expect(engine.registration("999")).toBeNull();
    expect(warnings.filter((warning) => warning.message.includes("wrong credentials"))).toHaveLength(3);
    expect(JSON.stringify(warnings.map((warning) => warning.fields))).not.toMatch(/wrong|battery|anything|response|nonce/);
  });

  it(`after ${MAX_FAILURES} failures a user name is refused 403, even with the right password, from any address`, async () => {
    const attacker = await phone("101");
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) expect(await attacker.register(`guess-${attempt}`)).toBe(401);
    expect(await attacker.register(`guess-last`, { challengeAnswers: 0 })).toBe(403);
    const realPhone = await phone("101");
    expect(await realPhone.register(PASSWORDS["101"])).toBe(403);
    expect(engine.registration("101")).toBeNull();
    expect(warnings.some((warning) => warning.message.includes("too many failed attempts"))).toBe(true);
    // Another extension from another port of the same loopback address is throttled too: the address is.
    const other = await phone("102");
    expect(await other.register(PASSWORDS["102"])).toBe(403);
  });
});

const missing = missingSippTools();
describe.skipIf(missing.length > 0)("sipp as the phone (an independent digest implementation)", () => {
  it("registers with the right password (-au/-ap) and fails with a wrong one", { timeout: 30_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-register-"));
    try {
      const register = (password: string) =>
        runSipp({ edgePort: engine.local.port, service: "101", scenario: REGISTER_SCENARIO, keys: {}, cwd: dir, extraArgs: ["-au", "101", "-ap", password] });
      const wrong = await register("not-the-password");
      expect(wrong.code).not.toBe(0);
      expect(engine.registration("101")).toBeNull();
      const right = await register(PASSWORDS["101"]);
      expect(right.code, right.stderr).toBe(0);
      expect(engine.registration("101")).toMatchObject({ contact: expect.stringMatching(/^sip:101@127\.0\.0\.1:\d+$/) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("digest nonces", () => {
  const authenticator = new DigestAuthenticator(Buffer.from("secret"), "switchboard");
  const answer = (nonce: string, password: string) => {
    const credentials = { username: "101", realm: "switchboard", nonce, uri: "sip:pbx", nc: "00000001", cnonce: "abc" };
    return { ...credentials, qop: "auth", algorithm: "MD5", response: digestResponse({ ...credentials, password, method: "REGISTER" }) };
  };

  it("accepts a nonce of its own secret until it expires, then calls it stale; a forged or foreign nonce is invalid", () => {
    const clock = { now: () => Date.parse("2026-12-06T06:00:00Z") };
    const nonce = authenticator.nonce(clock.now());
    expect(authenticator.verify(answer(nonce, "pw"), "REGISTER", "pw", clock.now())).toBe("ok");
    expect(authenticator.verify(answer(nonce, "pw"), "REGISTER", "other", clock.now())).toBe("wrong");
    expect(authenticator.verify(answer(nonce, "pw"), "INVITE", "pw", clock.now())).toBe("wrong");
    // Another process with the same secret accepts it too: nonces need no memory.
    expect(new DigestAuthenticator(Buffer.from("secret"), "switchboard").verify(answer(nonce, "pw"), "REGISTER", "pw", clock.now())).toBe("ok");
    expect(new DigestAuthenticator(Buffer.from("other"), "switchboard").verify(answer(nonce, "pw"), "REGISTER", "pw", clock.now())).toBe("invalid_nonce");
    const [issued, random] = nonce.split(".");
    expect(authenticator.verify(answer(`${issued}.${random}.forged`, "pw"), "REGISTER", "pw", clock.now())).toBe("invalid_nonce");
    expect(authenticator.verify(answer(nonce, "pw"), "REGISTER", "pw", clock.now() + NONCE_LIFETIME_MS + 1)).toBe("stale");
  });

  it("parses an Authorization header with quoted and bare values", () => {
    expect(parseDigestAuthorization('Digest username="101", realm="sb", nonce="n", uri="sip:x", response="abc", qop=auth, nc=00000001, cnonce="c", algorithm=MD5')).toEqual({
      username: "101", realm: "sb", nonce: "n", uri: "sip:x", response: "abc", qop: "auth", nc: "00000001", cnonce: "c", algorithm: "MD5",
    });
    expect(parseDigestAuthorization('Basic dXNlcjpwdw==')).toBeNull();
    expect(parseDigestAuthorization('Digest username="101"')).toBeNull();
  });
});
