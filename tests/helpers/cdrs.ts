import type { Db } from "@/server/db/client";
import type { Cdr } from "@/server/pbx/cdr";
import { CallStore } from "@/server/runtime/callStore";

/** A CDR as the call store receives it: final, inbound, unanswered, to extension 101, unless `overrides` say otherwise. */
export function cdr(id: string, endedAt: string, overrides: Partial<Cdr> = {}): Cdr {
  return {
    cdr_id: id,
    conversation_id: `conv_${id}`,
    call_id: `call_${id}`,
    leg_id: `leg_${id}`,
    sequence: 1,
    is_final: true,
    leg_end_reason: "normal",
    direction: "inbound",
    caller: { number: "+36301112233", name: null },
    called_number: "+3612345678",
    flow_id: null,
    requested: { extension: "101" },
    answered_by: null,
    transferred_by: null,
    forwarded_from: null,
    queue_id: null,
    agent_id: null,
    started_at: endedAt,
    answered_at: null,
    ended_at: endedAt,
    duration_s: 0,
    talk_time_s: 0,
    ring_time_s: 0,
    disposition: "no_answer",
    hangup_cause: "normal_clearing",
    recordings: [],
    legs: [],
    ...overrides,
  };
}

/** Writes CDRs the way the runtime does (final ones end their conversation), committed when it resolves (PostgreSQL queues them). */
export async function storeCdrs(db: Db, ...records: Cdr[]): Promise<void> {
  const callStore = new CallStore(db);
  for (const record of records) callStore.handle(record.is_final ? { type: "conversation.ended", cdr: record } : { type: "leg.closed", cdr: record });
  await callStore.writer.durable();
}
