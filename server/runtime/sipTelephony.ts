/**
 * `TELEPHONY=sip`: the SIP edge as the runtime's engine, configured from the
 * environment (server/config.ts). Phones register with their extension number
 * and the SIP password from `sip_credentials`; INVITEs are taken from the
 * SIP_TRUNKS addresses for any DID with a published flow; calls to external
 * numbers leave through the outbound trunk (`outboundTrunkFromEnv`).
 */
import path from "node:path";
import type { Logger } from "@/flows/runtime/ports";
import { systemClock } from "@/flows/runtime/clock";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { derivedKey } from "../integration/secretBox";
import { audioDirOf, audioPromptFile } from "../services/audioPrompts";
import { sipPasswordFor } from "../services/sipCredentials";
import { PromptAudio } from "../telephony/sip/prompts";
import { SipEngine, type OutboundTrunk } from "../telephony/sip/sipEngine";

export function startSipEngine(config: AppConfig, db: Db, logger: Logger): Promise<SipEngine> {
  const [address, port] = config.SIP_LISTEN.split(":");
  const [min, max] = config.RTP_PORTS.split("-").map(Number);
  const audioDir = audioDirOf(config.dataDir);
  return SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address, port: Number(port) },
    advertisedAddress: config.SIP_ADVERTISED_ADDRESS,
    rtpPorts: { min, max },
    trustedPeers: trunkAddresses(config),
    prompts: new PromptAudio({ cacheDir: path.join(config.dataDir, "sip-prompts"), recordingFile: (id) => audioPromptFile(db, audioDir, id)?.path, logger }),
    registrar: { realm: "switchboard", nonceSecret: derivedKey("sip-nonces"), password: (extension) => sipPasswordFor(db, extension) },
    outboundTrunk: outboundTrunkFromEnv(config),
    recordingsDir: config.recordingsDir,
  });
}

function trunkAddresses(config: AppConfig): string[] {
  return config.SIP_TRUNKS.split(",").map((peer) => peer.trim()).filter(Boolean);
}

/**
 * The outbound trunk from the environment: the first SIP_TRUNKS address, SIP_TRUNK_PORT, and the
 * SIP_TRUNK_USERNAME / SIP_TRUNK_PASSWORD account; null (calls out fail, `no_trunk`) without SIP_TRUNKS.
 * The engine reads it per call, so a source that can change (the portal's trunk settings) plugs in here.
 */
export function outboundTrunkFromEnv(config: AppConfig): () => OutboundTrunk | null {
  const [host] = trunkAddresses(config);
  const trunk: OutboundTrunk | null = host ? { host, port: config.SIP_TRUNK_PORT, username: config.SIP_TRUNK_USERNAME, password: config.SIP_TRUNK_PASSWORD } : null;
  return () => trunk;
}
