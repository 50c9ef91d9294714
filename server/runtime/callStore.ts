import type { Db } from "../db/client";
import type { PgDb } from "../db/postgres";
import { recordWriterFor, type RecordWriter } from "./recordWriter";
import type { PbxEvent } from "../pbx/events";
import type { Cdr, CdrRecording, OpenCallSnapshot } from "../pbx/cdr";

const extensionPattern = /^\d{2,6}$/;

/** Every extension that took part in a CDR, for the call-history `extension` filter. */
function extensionsOf(cdr: Cdr): string[] {
  const candidates = [
    extensionPattern.test(cdr.caller.number) ? cdr.caller.number : null,
    cdr.requested.extension,
    ...(cdr.requested.extensions ?? []),
    cdr.answered_by?.extension,
    cdr.transferred_by?.extension,
    cdr.forwarded_from?.extension,
  ];
  return [...new Set(candidates.filter((e): e is string => Boolean(e)))];
}

/**
 * Which open calls a runtime takes over: those whose owner has no `runtime_instances` row (the registry deletes
 * the rows of runtimes it found dead, registry.ts), or with `everyCall` every call but its own (one process).
 */
export interface OpenCallClaim {
  runtimeId: string;
  everyCall: boolean;
}

/**
 * Records what the PBX reports. It is the PBX's synchronous sink: the final
 * CDR, its recordings and the removal of the open-call marker form one unit
 * (with whatever the hooks add), written at the instant the call ends — a
 * crash either leaves the call open (closed on restart) or fully recorded,
 * never half. How a unit reaches the database is the dialect's writer's
 * business (recordWriter.ts): a SQLite transaction at once, or a queued
 * PostgreSQL transaction.
 */
export class CallStore {
  readonly writer: RecordWriter;

  /** Further writes that must share the final CDR's unit (the CRM outbox hooks in here). */
  readonly onConversationEnded: Array<(cdr: Cdr) => void> = [];
  /** Further writes that must share the unit of any other event's own record (the CRM outbox: partial CDRs, voicemails, agent states, ringing). */
  readonly onEvent: Array<(event: PbxEvent) => void> = [];
  /** Start-up loads that must finish before interrupted calls are closed (the outbox's call-data marks). */
  readonly beforeRecovery: Array<() => Promise<void>> = [];

  /** The runtime that owns the calls this store records as open (RuntimeRegistry; null until it registers). */
  ownerId: string | null = null;

  constructor(db: Db | PgDb) {
    this.writer = recordWriterFor(db);
  }

  /** The PBX sink. */
  readonly handle = (event: PbxEvent): void => {
    if (this.onEvent.length === 0 || event.type === "conversation.ended") this.write(event);
    else this.writer.atomically(() => this.recordWithHooks(event));
  };

  private recordWithHooks(event: PbxEvent): void {
    this.write(event);
    for (const hook of this.onEvent) hook(event);
  }

  private recordFinal(cdr: Cdr): void {
    this.writeCdr(cdr);
    this.writer.write("closeOpenCall", [cdr.call_id]);
    for (const hook of this.onConversationEnded) hook(cdr);
  }

  private write(event: PbxEvent): void {
    switch (event.type) {
      case "call.started":
        this.writer.write("openCall", [event.call.call_id, JSON.stringify(event.call), event.call.started_at, this.ownerId]);
        return;
      case "leg.closed":
        this.writeCdr(event.cdr);
        return;
      case "conversation.ended":
        this.writer.atomically(() => this.recordFinal(event.cdr));
        return;
      case "agent.state_changed":
        this.writer.write("agentState", [event.change.agent_id, event.change.status, event.change.pause_reason, event.change.at]);
        return;
      case "voicemail.left":
        this.saveRecording(event.data.recording, event.data.conversation_id, "voicemail", event.data.mailbox_extension, event.data.at);
        return;
      default:
        return;
    }
  }

  saveTrace(trace: { callId: string; conversationId: string; flowId: string | null; revision: number | null; outcome: string; steps: unknown[] }, at: string): void {
    this.writer.write("trace", [trace.callId, trace.conversationId, trace.flowId, trace.revision, trace.outcome, JSON.stringify(trace.steps), at]);
  }

  /** Start-up: agent sessions live in memory, so a restart logs every agent out — the history says so too. */
  async logOutAgentsLeftIn(at: string): Promise<void> {
    for (const { agentId } of await this.writer.read<{ agentId: string }>("agentsNotLoggedOut")) {
      this.writer.write("agentState", [agentId, "logged_out", null, at]);
    }
  }

  /**
   * Calls whose runtime stopped — this process's previous run, or a crashed runtime (`claim`) — now
   * owned by `claim.runtimeId`, with the partial CDRs they already produced.
   */
  async interruptedCalls(claim: OpenCallClaim): Promise<Array<{ snapshot: OpenCallSnapshot; partials: Cdr[] }>> {
    const open = await this.writer.read<{ snapshot: string }>("claimOpenCalls", [claim.runtimeId, claim.runtimeId, claim.everyCall ? 1 : 0]);
    return Promise.all(
      open.map(async (row) => {
        const snapshot = JSON.parse(row.snapshot) as OpenCallSnapshot;
        const partials = await this.writer.read<{ document: string }>("conversationCdrs", [snapshot.conversation_id]);
        return { snapshot, partials: partials.map((r) => JSON.parse(r.document) as Cdr) };
      }),
    );
  }

  private writeCdr(cdr: Cdr): void {
    this.writer.write("cdr", [
      cdr.cdr_id,
      cdr.conversation_id,
      cdr.call_id,
      cdr.sequence,
      cdr.is_final ? 1 : 0,
      cdr.direction,
      cdr.disposition,
      cdr.caller.number,
      cdr.called_number,
      cdr.started_at,
      cdr.ended_at,
      JSON.stringify(cdr),
    ]);
    for (const extension of extensionsOf(cdr)) this.writer.write("cdrExtension", [cdr.cdr_id, extension]);
    for (const recording of cdr.recordings) this.saveRecording(recording, cdr.conversation_id, "call", null, cdr.ended_at);
  }

  private saveRecording(recording: CdrRecording, conversationId: string, kind: "call" | "voicemail", mailbox: string | null, at: string): void {
    this.writer.write("recording", [
      recording.code,
      conversationId,
      kind,
      mailbox,
      recording.format,
      recording.duration_s,
      recording.size_bytes,
      recording.sha256,
      at,
    ]);
  }
}
