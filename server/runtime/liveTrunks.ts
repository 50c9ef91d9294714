/**
 * The SIP trunks configured in the portal as the SIP edge reads them: per
 * INVITE (`inbound()`), per call out (`outbound()`) and every few seconds for
 * registrations (`accounts()`).
 * They are rebuilt from the enabled trunks only after those may have changed
 * (`SipEdgeData.trunks.version`: the `sip_trunks` change counter on SQLite,
 * the in-memory copy's reloads on PostgreSQL — sipEdgeData.ts), so a change
 * made in any bundle or process applies to the next INVITE without a restart,
 * and an unchanged configuration costs at most one single-row read.
 *
 * Trunk addresses may be host names, while an INVITE's source is an IP: names
 * are looked up (IPv4) when the trunks are rebuilt and again every 5 minutes,
 * in the background. Until its first answer a name matches nothing, so a call
 * in the first instant after adding a host-name trunk is refused like any
 * unknown source (403, logged).
 */
import { lookup } from "node:dns/promises";
import type { CountryCode } from "libphonenumber-js";
import type { Clock, Logger } from "@/flows/runtime/ports";
import { isIpv4 } from "@/lib/schemas/sipTrunks";
import { VersionedCache } from "../db/configVersions";
import { normalizeNumber } from "../pbx/numbers";
import { SIP_DEFAULT_PORT, inboundTrunks, outboundTrunk, trunkRegistrationTargets, type EnabledTrunk, type OutboundTrunk } from "../services/sipTrunks";
import type { SipEdgeData } from "./sipEdgeData";
import type { InboundTrunk } from "../telephony/sip/sipEngine";
import type { RegistrationAccount } from "../telephony/sip/trunkRegistration";

const NAME_REFRESH_MS = 5 * 60_000;

export class LiveTrunks {
  private readonly inboundCache: VersionedCache<InboundTrunk[]>;
  private readonly accountsCache: VersionedCache<RegistrationAccount[]>;
  private readonly outboundCache: VersionedCache<{ trunk: OutboundTrunk | null }>;
  /** Host name → its IPv4 addresses and when they were looked up. */
  private readonly names = new Map<string, { addresses: readonly string[]; at: number; pending: boolean }>();

  constructor(
    trunks: SipEdgeData["trunks"],
    private readonly options: { region: string; clock: Clock; logger: Logger; appSecret?: string; resolveAll?: (host: string) => Promise<string[]> },
  ) {
    const versions = { version: () => trunks.version() };
    this.inboundCache = new VersionedCache(versions, "sip_trunks", () => this.buildInbound(trunks.rows()));
    this.accountsCache = new VersionedCache(versions, "sip_trunks", () =>
      trunkRegistrationTargets(trunks.rows(), options.appSecret).map((target) => ({
        key: target.trunkId,
        registrar: { host: target.registrar.host, port: target.registrar.port ?? SIP_DEFAULT_PORT },
        domain: target.domain,
        username: target.username,
        password: target.password,
      })),
    );
    this.outboundCache = new VersionedCache(versions, "sip_trunks", () => ({ trunk: outboundTrunk(trunks.rows(), options.appSecret) }));
  }

  /** The trunk calls out go through (read per call by the SIP edge's outbound option), or null. */
  outbound(): OutboundTrunk | null {
    return this.outboundCache.get().trunk;
  }

  /** The enabled trunks, for the INVITE at hand. */
  inbound(): InboundTrunk[] {
    return this.inboundCache.get();
  }

  /**
   * The provider accounts to register with. The edge asks every few seconds, so this also brings the
   * inbound view up to date: a new trunk's host names are then looked up before its first INVITE.
   */
  accounts(): RegistrationAccount[] {
    this.inboundCache.get();
    return this.accountsCache.get();
  }

  private buildInbound(rows: EnabledTrunk[]): InboundTrunk[] {
    const region = this.options.region as CountryCode;
    return inboundTrunks(rows).map((trunk) => {
      const dids = new Set(trunk.dids);
      for (const address of trunk.addresses) this.addressesOf(address.host);
      return {
        name: trunk.name,
        sentFrom: (source) => trunk.addresses.some((address) => (address.port === null || address.port === source.port) && this.addressesOf(address.host).includes(source.address)),
        carries: (number) => dids.size === 0 || dids.has(normalizeNumber(number, region)),
      };
    });
  }

  /** An IPv4 address as itself; a name as its last looked-up addresses, looked up again in the background when stale. */
  private addressesOf(host: string): readonly string[] {
    if (isIpv4(host)) return [host];
    const now = this.options.clock.now();
    const known = this.names.get(host);
    if (!known || (!known.pending && now - known.at >= NAME_REFRESH_MS)) this.lookUp(host, known?.addresses ?? [], now);
    return known?.addresses ?? [];
  }

  private lookUp(host: string, previous: readonly string[], now: number): void {
    const entry = { addresses: previous, at: now, pending: true };
    this.names.set(host, entry);
    const resolveAll = this.options.resolveAll ?? (async (name: string) => (await lookup(name, { all: true, family: 4 })).map((result) => result.address));
    resolveAll(host).then(
      (addresses) => this.names.set(host, { addresses, at: this.options.clock.now(), pending: false }),
      (error: unknown) => {
        this.options.logger.warn({ host, err: String(error) }, "SIP edge: a trunk's host name could not be looked up");
        this.names.set(host, { ...entry, pending: false });
      },
    );
  }
}
