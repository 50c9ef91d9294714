import type { Clock, TimerHandle } from "@/flows/runtime/ports";
import type { Pbx } from "../pbx/pbx";
import type { CallView } from "../pbx/views";
import type { LiveCalls } from "../runtime/liveCalls";
import type { RecordWriter } from "../runtime/recordWriter";

export interface LiveCallView extends CallView {
  /** The flow node the call is in now, when a flow runs it. */
  current_node_id: string | null;
}

/** A call in progress as the live views hold it, with the extensions where one of its parties rings or talks (who may see it). */
export interface LiveCallRecord {
  call: LiveCallView;
  party_extensions: string[];
}

/** The calls in progress of a runtime, from its memory. */
export function runtimeLiveCalls(pbx: Pbx, live: LiveCalls): LiveCallRecord[] {
  return pbx.liveCalls().map(({ call, partyExtensions }) => ({
    call: { ...call, current_node_id: live.get(call.call_id)?.currentNodeId ?? null },
    party_extensions: partyExtensions,
  }));
}

/**
 * PostgreSQL, in the runtime process: keeps `open_calls.live_view` of its
 * calls current, for portal processes that have no runtime (liveState.ts).
 * Every `intervalMs` it compares each call's view (status, parties, the flow
 * node it is in) with what it last wrote and writes those that changed, as
 * one unit of the runtime's record writer — so in event order, after the
 * call's `open_calls` row and before its removal with the final CDR. The
 * update notifies the live views (drizzle/pg/0005).
 *
 * Polling rather than a write per event because the flow node moves with
 * every step and a call's events come in bursts; the web process's stream
 * then sends the list within half a second of a change (measured in
 * tests/e2e/roles.e2e.ts), and an unchanged call costs one JSON.stringify
 * per tick, no write.
 */
export class LiveCallViewPublisher {
  private published = new Map<string, string>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly source: () => LiveCallRecord[],
    private readonly writer: RecordWriter,
    private readonly clock: Clock,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.publish();
      this.timer = this.clock.setTimeout(tick, this.intervalMs);
    };
    this.timer = this.clock.setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Writes the views that changed since the last call. */
  publish(): void {
    const current = new Map(this.source().map((record) => [record.call.call_id, JSON.stringify(record)]));
    const changed = [...current].filter(([callId, view]) => this.published.get(callId) !== view);
    if (changed.length > 0) {
      this.writer.atomically(() => {
        for (const [callId, view] of changed) this.writer.write("liveCallView", [view, callId]);
      });
    }
    this.published = current;
  }
}
