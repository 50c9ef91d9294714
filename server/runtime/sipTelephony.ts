/**
 * `TELEPHONY=sip`: the SIP edge as the runtime's engine, configured from the
 * environment (server/config.ts) and the portal's SIP trunks. Phones register
 * with their extension number and the SIP password from `sip_credentials`;
 * INVITEs are taken from the enabled trunks' addresses for the DIDs each
 * carries (read live), and from the SIP_TRUNKS addresses for any DID; trunks
 * with credentials are registered with their provider, and how that goes is
 * written to `sip_trunk_registrations` for the portal. Calls to external
 * numbers leave through the portal's outbound trunk, or else the one the
 * environment names (`outboundTrunkFromEnv`).
 */
import path from "node:path";
import type { Clock, Logger } from "@/flows/runtime/ports";
import { systemClock } from "@/flows/runtime/clock";
import type { AppConfig } from "../config";
import type { Db } from "../db/client";
import { derivedKey } from "../integration/secretBox";
import { audioDirOf, audioPromptFile } from "../services/audioPrompts";
import { recordTrunkRegistration } from "../services/sipTrunks";
import { PromptAudio } from "../telephony/sip/prompts";
import { SipEngine, type OutboundTrunk, type SipEngineOptions } from "../telephony/sip/sipEngine";
import type { RegistrationStatus } from "../telephony/sip/trunkRegistration";
import { LiveTrunks } from "./liveTrunks";
import { openSipEdgeData, type SipEdgeData } from "./sipEdgeData";

/**
 * Starts the edge once what it reads synchronously is at hand (`openSipEdgeData`: on PostgreSQL the trunks and SIP
 * passwords are read into memory first). Without `options.data` the edge opens its own and closes it with itself.
 */
export async function startSipEngine(
  config: AppConfig,
  db: Db,
  logger: Logger,
  options: { clock?: Clock; registrationPollMs?: number; registrationTiming?: NonNullable<SipEngineOptions["trunkRegistrations"]>["timing"]; data?: SipEdgeData } = {},
): Promise<SipEngine> {
  const clock = options.clock ?? systemClock;
  const [address, port] = config.SIP_LISTEN.split(":");
  const [min, max] = config.RTP_PORTS.split("-").map(Number);
  const audioDir = audioDirOf(config.dataDir);
  const data = options.data ?? (await openSipEdgeData(db));
  const trunks = new LiveTrunks(data.trunks, { region: config.DEFAULT_REGION, clock, logger });
  const fromEnv = outboundTrunkFromEnv(config);
  // Reports are written in the order the edge made them (each an awaited read and upsert): a later state never lands first.
  let reports = Promise.resolve();
  const report = (trunkId: string, status: RegistrationStatus) => {
    const stored = { state: status.state, reason: status.reason, expiresAt: status.expiresAt === null ? null : new Date(status.expiresAt).toISOString() };
    const at = new Date(clock.now()).toISOString();
    reports = reports
      .then(() => recordTrunkRegistration(db, trunkId, stored, at))
      .catch((error: unknown) => logger.error({ trunkId, err: String(error) }, "SIP edge: a trunk's registration state could not be stored"));
  };
  const ownData = options.data === undefined;
  try {
    return await SipEngine.start({
      clock,
      logger,
      listen: { address, port: Number(port) },
      advertisedAddress: config.SIP_ADVERTISED_ADDRESS,
      rtpPorts: { min, max },
      trustedPeers: trunkAddresses(config),
      trunks: () => trunks.inbound(),
      trunkRegistrations: {
        accounts: () => trunks.accounts(),
        report,
        pollMs: options.registrationPollMs,
        timing: options.registrationTiming,
      },
      prompts: new PromptAudio({ cacheDir: path.join(config.dataDir, "sip-prompts"), recordingFile: async (id) => (await audioPromptFile(db, audioDir, id))?.path, logger }),
      registrar: { realm: "switchboard", nonceSecret: derivedKey("sip-nonces"), password: (extension) => data.sipPassword(extension) },
      outboundTrunk: () => trunks.outbound() ?? fromEnv(),
      recordingsDir: config.recordingsDir,
      onClosed: ownData ? () => data.close() : undefined,
    });
  } catch (error) {
    // The socket could not be bound: release what was opened for it (on PostgreSQL a LISTEN connection).
    if (ownData) await data.close();
    throw error;
  }
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
