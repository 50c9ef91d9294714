import type { Db } from "../db/client";
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
 * Writes what the PBX reports into SQLite. It is the PBX's synchronous sink:
 * the final CDR, its recordings and the removal of the open-call marker share
 * one transaction, written at the instant the call ends — a crash either
 * leaves the call open (closed on restart) or fully recorded, never half.
 */
export class CallStore {
  private readonly insertCdr;
  private readonly insertCdrExtension;
  private readonly insertRecording;
  private readonly insertOpenCall;
  private readonly deleteOpenCall;
  private readonly insertAgentState;
  private readonly insertTrace;
  private readonly conversationCdrs;
  private readonly openCallRows;
  private readonly recordFinal;
  private readonly agentsNotLoggedOut;

  /** Further writes that must share the final CDR's transaction (the CRM outbox hooks in here). */
  readonly onConversationEnded: Array<(cdr: Cdr) => void> = [];
  /** Further writes that must share the transaction of any other event's own record (the CRM outbox: partial CDRs, voicemails, agent states, ringing). */
  readonly onEvent: Array<(event: PbxEvent) => void> = [];
  private readonly recordWithHooks;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.insertCdr = sqlite.prepare(
      `insert or ignore into cdrs (cdr_id, conversation_id, call_id, sequence, is_final, direction, disposition, caller_number, called_number, started_at, ended_at, document)
       values (@cdr_id, @conversation_id, @call_id, @sequence, @is_final, @direction, @disposition, @caller_number, @called_number, @started_at, @ended_at, @document)`,
    );
    this.insertCdrExtension = sqlite.prepare(`insert or ignore into cdr_extensions (cdr_id, extension) values (?, ?)`);
    this.insertRecording = sqlite.prepare(
      `insert or ignore into recordings (code, conversation_id, kind, mailbox_extension, format, duration_s, size_bytes, sha256, created_at)
       values (@code, @conversation_id, @kind, @mailbox_extension, @format, @duration_s, @size_bytes, @sha256, @created_at)`,
    );
    this.insertOpenCall = sqlite.prepare(`insert or replace into open_calls (call_id, snapshot, started_at) values (?, ?, ?)`);
    this.deleteOpenCall = sqlite.prepare(`delete from open_calls where call_id = ?`);
    this.insertAgentState = sqlite.prepare(`insert into agent_state_history (agent_id, status, pause_reason, at) values (?, ?, ?, ?)`);
    this.insertTrace = sqlite.prepare(
      `insert or replace into call_traces (call_id, conversation_id, flow_id, revision, outcome, steps, created_at) values (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.conversationCdrs = sqlite.prepare(`select document from cdrs where conversation_id = ? order by sequence`);
    this.openCallRows = sqlite.prepare(`select snapshot from open_calls`);
    this.agentsNotLoggedOut = sqlite.prepare(
      `select h.agent_id as agentId from agent_state_history h
       where h.id = (select max(id) from agent_state_history where agent_id = h.agent_id) and h.status <> 'logged_out'`,
    );
    this.recordFinal = sqlite.transaction((cdr: Cdr) => {
      this.writeCdr(cdr);
      this.deleteOpenCall.run(cdr.call_id);
      for (const hook of this.onConversationEnded) hook(cdr);
    });
    this.recordWithHooks = sqlite.transaction((event: PbxEvent) => {
      this.write(event);
      for (const hook of this.onEvent) hook(event);
    });
  }

  /** The PBX sink. */
  readonly handle = (event: PbxEvent): void => {
    if (this.onEvent.length === 0 || event.type === "conversation.ended") this.write(event);
    else this.recordWithHooks(event);
  };

  private write(event: PbxEvent): void {
    switch (event.type) {
      case "call.started":
        this.insertOpenCall.run(event.call.call_id, JSON.stringify(event.call), event.call.started_at);
        return;
      case "leg.closed":
        this.writeCdr(event.cdr);
        return;
      case "conversation.ended":
        this.recordFinal(event.cdr);
        return;
      case "agent.state_changed":
        this.insertAgentState.run(event.change.agent_id, event.change.status, event.change.pause_reason, event.change.at);
        return;
      case "voicemail.left":
        this.saveRecording(event.data.recording, event.data.conversation_id, "voicemail", event.data.mailbox_extension, event.data.at);
        return;
      default:
        return;
    }
  }

  saveTrace(trace: { callId: string; conversationId: string; flowId: string | null; revision: number | null; outcome: string; steps: unknown[] }, at: string): void {
    this.insertTrace.run(trace.callId, trace.conversationId, trace.flowId, trace.revision, trace.outcome, JSON.stringify(trace.steps), at);
  }

  /** Start-up: agent sessions live in memory, so a restart logs every agent out — the history says so too. */
  logOutAgentsLeftIn(at: string): void {
    for (const { agentId } of this.agentsNotLoggedOut.all() as { agentId: string }[]) {
      this.insertAgentState.run(agentId, "logged_out", null, at);
    }
  }

  /** Start-up: calls that were open when the process stopped, with the partial CDRs they already produced. */
  interruptedCalls(): Array<{ snapshot: OpenCallSnapshot; partials: Cdr[] }> {
    return (this.openCallRows.all() as { snapshot: string }[]).map((row) => {
      const snapshot = JSON.parse(row.snapshot) as OpenCallSnapshot;
      const partials = (this.conversationCdrs.all(snapshot.conversation_id) as { document: string }[]).map((r) => JSON.parse(r.document) as Cdr);
      return { snapshot, partials };
    });
  }

  private writeCdr(cdr: Cdr): void {
    this.insertCdr.run({
      cdr_id: cdr.cdr_id,
      conversation_id: cdr.conversation_id,
      call_id: cdr.call_id,
      sequence: cdr.sequence,
      is_final: cdr.is_final ? 1 : 0,
      direction: cdr.direction,
      disposition: cdr.disposition,
      caller_number: cdr.caller.number,
      called_number: cdr.called_number,
      started_at: cdr.started_at,
      ended_at: cdr.ended_at,
      document: JSON.stringify(cdr),
    });
    for (const extension of extensionsOf(cdr)) this.insertCdrExtension.run(cdr.cdr_id, extension);
    for (const recording of cdr.recordings) this.saveRecording(recording, cdr.conversation_id, "call", null, cdr.ended_at);
  }

  private saveRecording(recording: CdrRecording, conversationId: string, kind: "call" | "voicemail", mailbox: string | null, at: string): void {
    this.insertRecording.run({
      code: recording.code,
      conversation_id: conversationId,
      kind,
      mailbox_extension: mailbox,
      format: recording.format,
      duration_s: recording.duration_s,
      size_bytes: recording.size_bytes,
      sha256: recording.sha256,
      created_at: at,
    });
  }
}
