/**
 * `TELEPHONY=sip`: the SIP edge as the runtime's engine, configured from the
 * environment (server/config.ts). Phones register with their extension number
 * and the SIP password from `sip_credentials`; INVITEs are taken from the
 * SIP_TRUNKS addresses for any DID with a published flow.
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
import { SipEngine } from "../telephony/sip/sipEngine";

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
    trustedPeers: config.SIP_TRUNKS.split(",").map((peer) => peer.trim()).filter(Boolean),
    prompts: new PromptAudio({ cacheDir: path.join(config.dataDir, "sip-prompts"), recordingFile: (id) => audioPromptFile(db, audioDir, id)?.path, logger }),
    registrar: { realm: "switchboard", nonceSecret: derivedKey("sip-nonces"), password: (extension) => sipPasswordFor(db, extension) },
  });
}
