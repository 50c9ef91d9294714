import { systemClock } from "@/flows/runtime/clock";
import type { CallChannel, CallInfo, Clock, IntegrationPort, Logger } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { Pbx } from "../pbx/pbx";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import type { TelephonyEngine } from "../telephony/engine";
import { loadPublishedDocument } from "../services/flows";
import { CallStore } from "./callStore";
import { SqliteDirectory } from "./sqliteDirectory";
import { LiveCalls } from "./liveCalls";
import { runFlowWithLiveState } from "./flowRunner";
import { unconfiguredIntegration } from "./integration";
import { signedRecordingUrl } from "../integration/recordingLinks";
import type { RecordingUrl } from "../pbx/cdr";
import { TestCallLab } from "./testCalls";
import { audioPromptDuration } from "../services/audioPrompts";

export interface RuntimeOptions {
  db: Db;
  recordingsDir: string;
  logger: Logger;
  clock?: Clock;
  integration?: IntegrationPort;
  /** CDR recording links; default: signed `/api/v1/recordings/{code}?token=…` links (server/integration/recordingLinks.ts). */
  recordingUrl?: RecordingUrl;
  /** How long the default signed links work (RECORDING_LINK_TTL_HOURS). */
  recordingLinkTtlMs?: number;
  defaultRegion?: string;
  /** A real engine (`TELEPHONY=sip`); without it calls are simulated. A real engine has no far-end simulator, so the simulator API refuses. */
  engine?: TelephonyEngine;
}

/**
 * The call runtime of one process: the telephony engine (simulated, or the
 * SIP edge with TELEPHONY=sip), call control on top of it, the flow
 * interpreter for incoming calls, and the SQLite store that records what happens.
 */
export class Runtime {
  readonly clock: Clock;
  readonly engine: TelephonyEngine;
  readonly pbx: Pbx;
  readonly store: CallStore;
  readonly live = new LiveCalls();
  readonly directory: SqliteDirectory;
  readonly testCalls: TestCallLab;
  integration: IntegrationPort;

  constructor(private readonly options: RuntimeOptions) {
    const { db, logger } = options;
    this.clock = options.clock ?? systemClock;
    this.integration = options.integration ?? unconfiguredIntegration;
    this.directory = new SqliteDirectory(db);
    this.store = new CallStore(db);
    const simulated = options.engine
      ? null
      : new SimulatedEngine({
          clock: this.clock,
          recordingsDir: options.recordingsDir,
          isExtension: (number) => this.directory.extension(number) !== null,
          audioDurationMs: (audioId) => audioPromptDuration(db, audioId),
        });
    this.engine = options.engine ?? simulated!;
    this.pbx = new Pbx({
      clock: this.clock,
      engine: this.engine,
      simulator: simulated ?? undefined,
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
      audioDurationMs: (audioId) => audioPromptDuration(db, audioId),
    });
  }

  private readonly flowLoader = { loadPublished: (flowId: string) => loadPublishedDocument(this.options.db, flowId) };

  /** Where recordings are written (and served from: GET /api/v1/recordings/{code}). */
  get recordingsDir(): string {
    return this.options.recordingsDir;
  }

  /** Start-up: calls left open by a crash or kill get their final CDR now. */
  recoverInterruptedCalls(): number {
    this.store.logOutAgentsLeftIn(new Date(this.clock.now()).toISOString());
    return this.pbx.closeInterruptedCalls(this.store.interruptedCalls()).length;
  }

  shutdown(): void {
    this.pbx.shutdown();
  }

  private async runPublishedFlow(channel: CallChannel, call: CallInfo, variables: Record<string, unknown>): Promise<void> {
    const published = call.flowId ? await loadPublishedDocument(this.options.db, call.flowId) : null;
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
