/**
 * Calls out through the SIP trunk on the production build (issue #13): the
 * server runs with `TELEPHONY=sip` and the outbound trunk from its settings
 * (SIP_TRUNKS, SIP_TRUNK_PORT, SIP_TRUNK_USERNAME, SIP_TRUNK_PASSWORD); an
 * outbound IVR call started over the REST API leaves as an INVITE to sipp
 * (the provider), answers sipp's digest challenge, plays its prompt and hangs
 * up, and the call reads as answered and ended. Skipped without sipp.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeUdpPort, missingSippTools, SIPP_SKIP_MESSAGE, sippTrunk } from "@/server/telephony/sip/testing/sipp";
import { basicOf, createTechnicalUser, restClient } from "./rest";
import { startServer, type RunningServer } from "./server";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const TRUNK_ADDRESS = "127.0.0.2";
const TRUNK_PASSWORD = "trunk-secret";
const OUTSIDE = "+36201234567";

let server: RunningServer;
let dataDir: string;
let sippDir: string;
let trunkPort: number;
let basic: string;

describe.skipIf(missing.length > 0)("calls out through the SIP trunk (TELEPHONY=sip, production build)", () => {
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-sip-e2e-"));
    sippDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-sip-e2e-sipp-"));
    trunkPort = await freeUdpPort(TRUNK_ADDRESS);
    const sipPort = await freeUdpPort("127.0.0.1");
    server = await startServer(dataDir, {
      TELEPHONY: "sip",
      SIP_LISTEN: `127.0.0.1:${sipPort}`,
      RTP_PORTS: "42000-42099",
      SIP_TRUNKS: TRUNK_ADDRESS,
      SIP_TRUNK_PORT: String(trunkPort),
      SIP_TRUNK_USERNAME: "trunk-user",
      SIP_TRUNK_PASSWORD: TRUNK_PASSWORD,
      LOG_LEVEL: "info",
    });
    basic = basicOf(createTechnicalUser(dataDir, "SIP trunk e2e"));
  });

  afterAll(async () => {
    await server?.stop();
    for (const folder of [dataDir, sippDir]) if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("an outbound IVR call over the REST API leaves through the trunk with digest credentials, plays its flow and ends answered", async () => {
    const { ok } = restClient(server.baseUrl, () => basic);
    const nodes = [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "hello", type: "play", position: { x: 200, y: 0 }, config: { text: "Hello from Switchboard. This call left through the SIP trunk." } },
      { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
    ];
    const edges = [
      { id: "e1", source: "start", source_port: "next", target: "hello" },
      { id: "e2", source: "hello", source_port: "next", target: "bye" },
    ];
    const flow = await ok("/flows", { method: "POST", body: { schema_version: 1, name: "Trunk greeting", nodes, edges } });
    await ok(`/flows/${flow.id}/publish`, { method: "POST" });

    const provider = await sippTrunk({ address: TRUNK_ADDRESS, port: trunkPort, cwd: sippDir });
    const started = await ok("/ivr-calls", { method: "POST", body: { to: OUTSIDE, flow_id: flow.id, caller_id: "+3612345000" } });
    const exit = await provider.exit;
    expect(exit.code, `${exit.stderr}\n${provider.messages()}\n${server.output()}`).toBe(0);

    const messages = provider.messages();
    expect(messages).toContain(`INVITE sip:${OUTSIDE}@${TRUNK_ADDRESS}:${trunkPort} SIP/2.0`);
    expect(messages).toMatch(/\nAuthorization: Digest username="trunk-user", realm="trunk.example"/);
    expect(messages).toMatch(/From: .*<sip:\+3612345000@/);
    expect(messages).not.toContain(TRUNK_PASSWORD);
    await expect.poll(async () => (await ok(`/calls/${started.call_id}`)).status, { timeout: 10_000 }).toBe("ended");
    const call = await ok(`/calls/${started.call_id}`);
    expect(call.answered_at).not.toBeNull();
    expect(server.output()).not.toContain(TRUNK_PASSWORD);
  });
});
