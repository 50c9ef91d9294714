import { randomBytes } from "node:crypto";
import { systemClock } from "@/flows/runtime/clock";
import type { CallChannel, CallInfo, Clock, IntegrationPort, Logger } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { Pbx } from "../pbx/pbx";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import type { TelephonyEngine } from "../telephony/engine";
import { CompositeEngine, SIMULATED_LEG_PREFIX } from "../telephony/composite";
import type { CallStore, OpenCallClaim } from "./callStore";
import { sqliteRuntimeStore, type RuntimeDirectory, type RuntimeStore } from "./runtimeStore";
import { LiveCalls } from "./liveCalls";
import { runtimeLiveCalls } from "../live/liveCallViews";
import { runFlowWithLiveState } from "./flowRunner";
import { unconfiguredIntegration } from "./integration";
import { signedRecordingUrl } from "../integration/recordingLinks";
import type { RecordingUrl } from "../pbx/cdr";
import { TestCallLab } from "./testCalls";

export interface RuntimeOptions {
  /** SQLite: the store is built from it (sqliteRuntimeStore). */
  db?: Db;
  /** What the runtime reads and records, when built by `createRuntimeStore` (PostgreSQL); takes precedence over `db`. */
  data?: RuntimeStore;
  recordingsDir: string;
  logger: Logger;
  clock?: Clock;
  integration?: IntegrationPort;
  /** CDR recording links; default: signed `/api/v1/recordings/{code}?token=…` links (server/integration/recordingLinks.ts). */
  recordingUrl?: RecordingUrl;
  /** How long the default signed links work (RECORDING_LINK_TTL_HOURS). */
  recordingLinkTtlMs?: number;
  defaultRegion?: string;
  /** A real engine (`TELEPHONY=sip`); without it calls are simulated. With it, simulated calls (the simulator API) run beside the real ones (CompositeEngine). */
  engine?: TelephonyEngine;
}

/**
 * The call runtime of one process: the telephony engine (simulated, or the
 * SIP edge with TELEPHONY=sip), call control on top of it, the flow
 * interpreter for incoming calls, and the store that records what happens
 * (SQLite or PostgreSQL: runtimeStore.ts).
 */
export class Runtime {
  readonly clock: Clock;
  readonly engine: TelephonyEngine;
  readonly pbx: Pbx;
  readonly store: CallStore;
  readonly live = new LiveCalls();
  readonly directory: RuntimeDirectory;
  readonly data: RuntimeStore;
  readonly testCalls: TestCallLab;
  /** This runtime's id in `runtime_instances` and `open_calls.runtime_id` (one per start: a restarted process is a new instance). */
  readonly instanceId = `rt_${randomBytes(9).toString("base64url")}`;
  integration: IntegrationPort;

  constructor(private readonly options: RuntimeOptions) {
    const { logger } = options;
    this.clock = options.clock ?? systemClock;
    this.integration = options.integration ?? unconfiguredIntegration;
    if (!options.data && !options.db) throw new Error("Runtime: give the database (db) or its store (data)");
    this.data = options.data ?? sqliteRuntimeStore(options.db!);
    this.directory = this.data.directory;
    this.store = this.data.store;
    this.store.ownerId = this.instanceId;
    const audioDurationMs = (audioId: string) => this.data.audioDurationMs(audioId);
    const simulated = new SimulatedEngine({
      clock: this.clock,
      recordingsDir: options.recordingsDir,
      isExtension: (number) => this.directory.extension(number) !== null,
      audioDurationMs,
      legIdPrefix: options.engine ? `${SIMULATED_LEG_PREFIX}${randomBytes(4).toString("hex")}` : undefined,
    });
    // With a real engine the simulated world runs beside it, so the simulator API still places test calls.
    this.engine = options.engine ? new CompositeEngine(options.engine, simulated) : simulated;
    this.pbx = new Pbx({
      clock: this.clock,
      engine: this.engine,
      simulator: simulated,
      directory: this.directory,
      sink: this.store.handle,
      recordingUrl: options.recordingUrl ?? signedRecordingUrl(this.clock, options.recordingLinkTtlMs),
      logger,
      defaultRegion: (options.defaultRegion ?? "HU") as never,
      startFlow: (channel, call, variables) => this.runPublishedFlow(channel, call, variables),
    });
    this.testCalls = new TestCallLab({
      clock: this.clock,
      directory: this.directory,
      integration: () => this.integration,
      flows: this.flowLoader,
      logger,
      extensions: () => this.directory.extensionNumbers(),
      audioDurationMs,
    });
    this.data.publishLiveCalls?.(() => runtimeLiveCalls(this.pbx, this.live), this.clock);
  }

  private readonly flowLoader = { loadPublished: (flowId: string) => this.data.loadPublishedFlow(flowId) };

  /** Where recordings are written (and served from: GET /api/v1/recordings/{code}). */
  get recordingsDir(): string {
    return this.options.recordingsDir;
  }

  /**
   * Start-up: calls left open by a crash or kill get their final CDR now (after
   * the loads their records depend on); resolves once those records are committed.
   * Default claim: every open call but this runtime's own — right for one process
   * (SQLite); with several runtimes the registry passes a claim that spares live ones.
   */
  async recoverInterruptedCalls(claim: OpenCallClaim = this.claimOfEveryOtherCall()): Promise<number> {
    await this.store.logOutAgentsLeftIn(new Date(this.clock.now()).toISOString());
    return this.takeOverCalls(claim);
  }

  /** Closes, with `system_restart` final CDRs, the open calls of runtimes that stopped (`claim`); resolves once committed. */
  async takeOverCalls(claim: OpenCallClaim): Promise<number> {
    for (const load of this.store.beforeRecovery) await load();
    const closed = this.pbx.closeInterruptedCalls(await this.store.interruptedCalls(claim)).length;
    await this.store.writer.durable();
    return closed;
  }

  private claimOfEveryOtherCall(): OpenCallClaim {
    return { runtimeId: this.instanceId, everyCall: true };
  }

  /** Every call in progress ends with its final CDR; on PostgreSQL `close()` then commits what is queued. */
  shutdown(): void {
    this.pbx.shutdown();
  }

  /** A normal stop: calls end, their records are committed, the store's listeners stop. */
  async close(): Promise<void> {
    this.shutdown();
    await this.data.close();
  }

  private async runPublishedFlow(channel: CallChannel, call: CallInfo, variables: Record<string, unknown>): Promise<void> {
    const published = call.flowId ? await this.data.loadPublishedFlow(call.flowId) : null;
    if (!published) {
      // A DID pointing at a flow that was never published: the caller gets a clean rejection.
      channel.hangup("no_published_flow");
      return;
    }
    await runFlowWithLiveState(
      {
        clock: this.clock,
        integration: this.integration,
        flows: this.flowLoader,
        logger: this.options.logger,
        live: this.live,
        saveTrace: (trace) => this.store.saveTrace(trace, new Date(this.clock.now()).toISOString()),
      },
      channel,
      call,
      { document: published, flowId: call.flowId, revision: published.revision },
      variables,
    );
  }
}
