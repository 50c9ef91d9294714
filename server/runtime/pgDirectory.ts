import type pg from "pg";
import { componentLogger } from "../logger";
import { inPgTransaction } from "../db/pgTransaction";
import { CoalescingReload, type PgConfigVersions, type SnapshotTopic } from "../db/pgConfigVersions";
import type { Directory, DirectoryAgent, DirectoryExtension, DirectoryQueue, ExtensionForwarding } from "../pbx/directory";

/** Everything call control reads about the organisation, as one consistent copy. */
interface DirectorySnapshot {
  extensions: Map<string, DirectoryExtension>;
  flowByNumber: Map<string, string | null>;
  queues: Map<string, DirectoryQueue>;
  agents: DirectoryAgent[];
  agentsById: Map<string, DirectoryAgent>;
  enabledExtensionNumbers: string[];
  audioDurations: Map<string, number>;
}

type Row = Record<string, unknown>;
const asNumber = (value: unknown): number => Number(value);
const log = componentLogger("directory");

/** The same questions as SqliteDirectory's statements, asked of every row at once. */
const snapshotQueries = {
  extensions: `select e.number, e.enabled, e.owner_user_id as "userId", trim(u.first_name || ' ' || u.last_name) as "userName"
                from extensions e left join users u on u.id = e.owner_user_id`,
  forwarding: `select e.number, f.kind, f.enabled, f.destination_type, f.destination_number, f.ring_timeout_s
               from forwarding_rules f join extensions e on e.id = f.extension_id`,
  numbers: `select number, flow_id as "flowId" from phone_numbers`,
  queues: `select id, strategy, max_wait_s as "maxWaitS", wrap_up_s as "wrapUpS" from queues`,
  queueMembers: `select m.queue_id as "queueId", m.agent_id as "agentId",
                   (select min(e.number) from extensions e where e.owner_user_id = a.user_id) as extension
                 from queue_members m join agents a on a.id = m.agent_id`,
  agents: `select a.id as "agentId", a.user_id as "userId", trim(u.first_name || ' ' || u.last_name) as name,
             (select min(e.number) from extensions e where e.owner_user_id = a.user_id) as extension
           from agents a join users u on u.id = a.user_id`,
  audio: `select id, duration_ms as "durationMs" from audio_prompts where duration_ms is not null`,
  // The first contact per number, as SQLite's `limit 1` answers it (one of them, the same on every load).
  callerNames: `select distinct on (n.number) n.number, coalesce(nullif(trim(c.first_name || ' ' || c.last_name), ''), c.company) as name
                from phonebook_numbers n join phonebook_contacts c on c.id = n.contact_id order by n.number, n.contact_id, n.position`,
};

/** Reads several snapshot queries from one MVCC snapshot, so a change never shows half. */
function readConsistently(pool: pg.Pool, queries: string[]): Promise<Row[][]> {
  return inPgTransaction(
    pool,
    async (client) => {
      const results: Row[][] = [];
      for (const query of queries) results.push((await client.query(query)).rows as Row[]);
      return results;
    },
    "begin isolation level repeatable read read only",
  );
}

async function loadDirectory(pool: pg.Pool): Promise<DirectorySnapshot> {
  const q = snapshotQueries;
  const [extensionRows, forwardingRows, numberRows, queueRows, memberRows, agentRows, audioRows] = await readConsistently(pool, [
    q.extensions,
    q.forwarding,
    q.numbers,
    q.queues,
    q.queueMembers,
    q.agents,
    q.audio,
  ]);
  const forwardingOf = new Map<string, ExtensionForwarding>();
  for (const rule of forwardingRows) {
    const number = String(rule.number);
    const forwarding = forwardingOf.get(number) ?? { unconditional: null, busy: null, no_answer: null };
    const base = {
      enabled: rule.enabled === true,
      destination: { type: rule.destination_type as "extension" | "external", number: String(rule.destination_number) },
    };
    if (rule.kind === "no_answer") forwarding.no_answer = { ...base, ring_timeout_s: rule.ring_timeout_s === null ? 20 : asNumber(rule.ring_timeout_s) };
    else forwarding[rule.kind as "unconditional" | "busy"] = base;
    forwardingOf.set(number, forwarding);
  }
  const extensions = new Map<string, DirectoryExtension>();
  for (const row of extensionRows) {
    const number = String(row.number);
    extensions.set(number, {
      number,
      enabled: row.enabled === true,
      userId: (row.userId as string | null) ?? null,
      userName: (row.userName as string | null) || null,
      forwarding: forwardingOf.get(number) ?? { unconditional: null, busy: null, no_answer: null },
      recordCalls: true,
    });
  }
  const queues = new Map<string, DirectoryQueue>();
  for (const row of queueRows) {
    const id = String(row.id);
    queues.set(id, { id, strategy: row.strategy as DirectoryQueue["strategy"], maxWaitS: asNumber(row.maxWaitS), wrapUpS: asNumber(row.wrapUpS), members: [] });
  }
  // Agents without an extension cannot be rung, so they are not offered calls.
  for (const row of memberRows) if (row.extension) queues.get(String(row.queueId))?.members.push({ agentId: String(row.agentId), extension: String(row.extension) });
  const agents = agentRows.flatMap((row): DirectoryAgent[] =>
    row.extension ? [{ agentId: String(row.agentId), userId: (row.userId as string | null) ?? null, name: String(row.name), extension: String(row.extension) }] : [],
  );
  return {
    extensions,
    flowByNumber: new Map(numberRows.map((row) => [String(row.number), (row.flowId as string | null) ?? null])),
    queues,
    agents,
    agentsById: new Map(agents.map((agent) => [agent.agentId, agent])),
    enabledExtensionNumbers: [...extensions.values()]
      .filter((e) => e.enabled)
      .map((e) => e.number)
      .sort(),
    audioDurations: new Map(audioRows.map((row) => [String(row.id), asNumber(row.durationMs)])),
  };
}

async function loadCallerNames(pool: pg.Pool): Promise<Map<string, string | null>> {
  const [rows] = await readConsistently(pool, [snapshotQueries.callerNames]);
  return new Map(rows.map((row) => [String(row.number), (row.name as string | null) ?? null]));
}

/**
 * The PBX's view of the organisation on PostgreSQL: call control reads it
 * synchronously, and a PostgreSQL client cannot answer synchronously, so the
 * directory is an in-memory snapshot loaded with async queries and reloaded
 * when the `directory` or `phonebook` change counter moves (a trigger
 * NOTIFYs in the changing transaction; PgConfigVersions hears it). Calls keep
 * using the previous snapshot until the new one is loaded — a change is seen
 * by the first call after the reload, tens of milliseconds after the commit.
 */
export class PgDirectory implements Directory {
  private constructor(
    private readonly pool: pg.Pool,
    private directory: DirectorySnapshot,
    private callerNames: Map<string, string | null>,
  ) {}

  private readonly reloads: Record<SnapshotTopic, CoalescingReload> = {
    directory: this.reloader("directory", async () => {
      this.directory = await loadDirectory(this.pool);
    }),
    phonebook: this.reloader("phonebook", async () => {
      this.callerNames = await loadCallerNames(this.pool);
    }),
  };
  private stopListening: () => void = () => {};

  static async load(pool: pg.Pool, versions: PgConfigVersions): Promise<PgDirectory> {
    const directory = new PgDirectory(pool, await loadDirectory(pool), await loadCallerNames(pool));
    directory.stopListening = versions.onChange((topic) => {
      if (topic === "directory" || topic === "phonebook") directory.reloads[topic].request();
    });
    return directory;
  }

  extension(number: string): DirectoryExtension | null {
    return this.directory.extensions.get(number) ?? null;
  }

  flowIdForNumber(number: string): string | null {
    return this.directory.flowByNumber.get(number) ?? null;
  }

  queue(queueId: string): DirectoryQueue | null {
    return this.directory.queues.get(queueId) ?? null;
  }

  agent(agentId: string): DirectoryAgent | null {
    return this.directory.agentsById.get(agentId) ?? null;
  }

  agents(): DirectoryAgent[] {
    return this.directory.agents;
  }

  callerName(number: string): string | null {
    return this.callerNames.get(number) ?? null;
  }

  /** Enabled extension numbers, for views that list every phone. */
  extensionNumbers(): string[] {
    return this.directory.enabledExtensionNumbers;
  }

  /** The length of an uploaded prompt (the simulated engine plays it for that long). */
  audioDurationMs(audioId: string): number | undefined {
    return this.directory.audioDurations.get(audioId);
  }

  /** Resolves once every reload started so far has finished (tests; a change is then visible). */
  async settled(): Promise<void> {
    await Promise.all(Object.values(this.reloads).map((reload) => reload.settled()));
  }

  close(): void {
    this.stopListening();
  }

  private reloader(topic: SnapshotTopic, reload: () => Promise<void>): CoalescingReload {
    return new CoalescingReload(reload, (error) => log.error({ err: error.message, topic }, "the directory could not be reloaded; calls use the previous copy"));
  }
}
