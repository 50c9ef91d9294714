import type { Db } from "../db/client";
import type { Directory, DirectoryAgent, DirectoryExtension, DirectoryQueue, ExtensionForwarding } from "../pbx/directory";

interface ForwardingRow {
  kind: "unconditional" | "busy" | "no_answer";
  enabled: number;
  destination_type: "extension" | "external";
  destination_number: string;
  ring_timeout_s: number | null;
}

/**
 * The PBX's view of the organisation, read from SQLite. It sits on every
 * call's hot path, so each query is a statement prepared once (raw SQL on the
 * same connection Drizzle uses) rather than built per call.
 */
export class SqliteDirectory implements Directory {
  private readonly statements;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.statements = {
      extension: sqlite.prepare(
        `select e.number, e.enabled, e.owner_user_id as userId, trim(u.first_name || ' ' || u.last_name) as userName
         from extensions e left join users u on u.id = e.owner_user_id where e.number = ?`,
      ),
      forwarding: sqlite.prepare(
        `select f.kind, f.enabled, f.destination_type, f.destination_number, f.ring_timeout_s
         from forwarding_rules f join extensions e on e.id = f.extension_id where e.number = ?`,
      ),
      flowForNumber: sqlite.prepare(`select flow_id as flowId from phone_numbers where number = ?`),
      queue: sqlite.prepare(`select id, strategy, max_wait_s as maxWaitS, wrap_up_s as wrapUpS from queues where id = ?`),
      queueMembers: sqlite.prepare(
        `select m.agent_id as agentId, (select min(e.number) from extensions e where e.owner_user_id = a.user_id) as extension
         from queue_members m join agents a on a.id = m.agent_id where m.queue_id = ?`,
      ),
      agents: sqlite.prepare(
        `select a.id as agentId, a.user_id as userId, trim(u.first_name || ' ' || u.last_name) as name,
                (select min(e.number) from extensions e where e.owner_user_id = a.user_id) as extension
         from agents a join users u on u.id = a.user_id`,
      ),
      agent: sqlite.prepare(
        `select a.id as agentId, a.user_id as userId, trim(u.first_name || ' ' || u.last_name) as name,
                (select min(e.number) from extensions e where e.owner_user_id = a.user_id) as extension
         from agents a join users u on u.id = a.user_id where a.id = ?`,
      ),
      extensionNumbers: sqlite.prepare(`select number from extensions where enabled = 1 order by number`),
      callerName: sqlite.prepare(
        `select coalesce(nullif(trim(c.first_name || ' ' || c.last_name), ''), c.company) as name
         from phonebook_numbers n join phonebook_contacts c on c.id = n.contact_id where n.number = ? limit 1`,
      ),
    };
  }

  extension(number: string): DirectoryExtension | null {
    const row = this.statements.extension.get(number) as { number: string; enabled: number; userId: string | null; userName: string | null } | undefined;
    if (!row) return null;
    const forwarding: ExtensionForwarding = { unconditional: null, busy: null, no_answer: null };
    for (const rule of this.statements.forwarding.all(number) as ForwardingRow[]) {
      const base = { enabled: rule.enabled === 1, destination: { type: rule.destination_type, number: rule.destination_number } };
      if (rule.kind === "no_answer") forwarding.no_answer = { ...base, ring_timeout_s: rule.ring_timeout_s ?? 20 };
      else forwarding[rule.kind] = base;
    }
    return { number: row.number, enabled: row.enabled === 1, userId: row.userId, userName: row.userName || null, forwarding, recordCalls: true };
  }

  flowIdForNumber(number: string): string | null {
    return (this.statements.flowForNumber.get(number) as { flowId: string | null } | undefined)?.flowId ?? null;
  }

  queue(queueId: string): DirectoryQueue | null {
    const row = this.statements.queue.get(queueId) as Omit<DirectoryQueue, "members"> | undefined;
    if (!row) return null;
    // Agents without an extension cannot be rung, so they are not offered calls.
    const members = (this.statements.queueMembers.all(queueId) as { agentId: string; extension: string | null }[]).flatMap((m) =>
      m.extension ? [{ agentId: m.agentId, extension: m.extension }] : [],
    );
    return { ...row, members };
  }

  agent(agentId: string): DirectoryAgent | null {
    const row = this.statements.agent.get(agentId) as (Omit<DirectoryAgent, "extension"> & { extension: string | null }) | undefined;
    return row?.extension ? { ...row, extension: row.extension } : null;
  }

  agents(): DirectoryAgent[] {
    return (this.statements.agents.all() as (Omit<DirectoryAgent, "extension"> & { extension: string | null })[]).flatMap((row) =>
      row.extension ? [{ ...row, extension: row.extension }] : [],
    );
  }

  callerName(number: string): string | null {
    return (this.statements.callerName.get(number) as { name: string | null } | undefined)?.name ?? null;
  }

  /** Enabled extension numbers, for views that list every phone. */
  extensionNumbers(): string[] {
    return (this.statements.extensionNumbers.all() as { number: string }[]).map((row) => row.number);
  }
}
