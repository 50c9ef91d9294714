/**
 * `TELEPHONY=sip`: the SIP edge as the runtime's engine, configured from the
 * environment (server/config.ts) and the portal's SIP trunks. Phones register
 * with their extension number and the SIP password from `sip_credentials`;
 * INVITEs are taken from the enabled trunks' addresses for the DIDs each
 * carries (read live), and from the SIP_TRUNKS addresses for any DID; trunks
 * with credentials are registered with their provider, and how that goes is
 * written to `sip_trunk_registrations` for the portal.
 */
import path from "node:path";
import type { Clock, Logger } from "@/flows/runtime/ports";
import { systemClock } from "@/flows/runtime/clock";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { derivedKey } from "../integration/secretBox";
import { audioDirOf, audioPromptFile } from "../services/audioPrompts";
import { sipPasswordFor } from "../services/sipCredentials";
import { recordTrunkRegistration } from "../services/sipTrunks";
import { PromptAudio } from "../telephony/sip/prompts";
import { SipEngine, type SipEngineOptions } from "../telephony/sip/sipEngine";
import { LiveTrunks } from "./liveTrunks";

export function startSipEngine(
  config: AppConfig,
  db: Db,
  logger: Logger,
  options: { clock?: Clock; registrationPollMs?: number; registrationTiming?: NonNullable<SipEngineOptions["trunkRegistrations"]>["timing"] } = {},
): Promise<SipEngine> {
  const clock = options.clock ?? systemClock;
  const [address, port] = config.SIP_LISTEN.split(":");
  const [min, max] = config.RTP_PORTS.split("-").map(Number);
  const audioDir = audioDirOf(config.dataDir);
  const trunks = new LiveTrunks(db, { region: config.DEFAULT_REGION, clock, logger });
  return SipEngine.start({
    clock,
    logger,
    listen: { address, port: Number(port) },
    advertisedAddress: config.SIP_ADVERTISED_ADDRESS,
    rtpPorts: { min, max },
    trustedPeers: config.SIP_TRUNKS.split(",").map((peer) => peer.trim()).filter(Boolean),
    trunks: () => trunks.inbound(),
    trunkRegistrations: {
      accounts: () => trunks.accounts(),
      report: (trunkId, status) =>
        recordTrunkRegistration(
          db,
          trunkId,
          { state: status.state, reason: status.reason, expiresAt: status.expiresAt === null ? null : new Date(status.expiresAt).toISOString() },
          new Date(clock.now()).toISOString(),
        ),
      pollMs: options.registrationPollMs,
      timing: options.registrationTiming,
    },
    prompts: new PromptAudio({ cacheDir: path.join(config.dataDir, "sip-prompts"), recordingFile: (id) => audioPromptFile(db, audioDir, id)?.path, logger }),
    registrar: { realm: "switchboard", nonceSecret: derivedKey("sip-nonces"), password: (extension) => sipPasswordFor(db, extension) },
  });
}
