/**
 * What call control reads about the organisation. Synchronous on purpose:
 * it sits on every call's hot path and the SQLite implementation
 * (better-sqlite3) is synchronous too. Numbers are E.164 or extension digits.
 */

export interface ForwardingDestination {
  type: "extension" | "external";
  number: string;
}

export interface ForwardingRule {
  enabled: boolean;
  destination: ForwardingDestination;
}

export interface NoAnswerForwardingRule extends ForwardingRule {
  ring_timeout_s: number;
}

/** Shaped as API.md `GET /extensions/{ext}/forwarding`. */
export interface ExtensionForwarding {
  unconditional: ForwardingRule | null;
  busy: ForwardingRule | null;
  no_answer: NoAnswerForwardingRule | null;
}

export interface DirectoryExtension {
  number: string;
  enabled: boolean;
  userId: string | null;
  userName: string | null;
  forwarding: ExtensionForwarding;
  /** Calls answered at this extension are recorded. */
  recordCalls?: boolean;
}

export type QueueStrategy = "ring_all" | "longest_idle";

export interface DirectoryQueue {
  id: string;
  strategy: QueueStrategy;
  maxWaitS: number;
  wrapUpS: number;
  /** How long one offer rings an agent before moving on; 15 s when unset. */
  agentRingTimeoutS?: number;
  members: Array<{ agentId: string; extension: string }>;
}

export interface DirectoryAgent {
  agentId: string;
  userId: string | null;
  name: string;
  extension: string;
}

export interface Directory {
  extension(number: string): DirectoryExtension | null;
  /** The flow that incoming calls to this DID run, or null when the number is not ours. */
  flowIdForNumber(number: string): string | null;
  queue(queueId: string): DirectoryQueue | null;
  agent(agentId: string): DirectoryAgent | null;
  agents(): DirectoryAgent[];
  /** Phonebook match for caller display; null when unknown. */
  callerName(number: string): string | null;
}

export const NO_FORWARDING: ExtensionForwarding = { unconditional: null, busy: null, no_answer: null };

/** The directory kept in maps: for tests and the simulator playground. */
export class InMemoryDirectory implements Directory {
  private readonly extensions = new Map<string, DirectoryExtension>();
  private readonly numbers = new Map<string, string>();
  private readonly queues = new Map<string, DirectoryQueue>();
  private readonly agentsById = new Map<string, DirectoryAgent>();
  private readonly contacts = new Map<string, string>();

  addExtension(entry: Partial<DirectoryExtension> & { number: string }): this {
    this.extensions.set(entry.number, {
      enabled: true,
      userId: null,
      userName: null,
      forwarding: NO_FORWARDING,
      ...entry,
    });
    return this;
  }

  setForwarding(extension: string, forwarding: Partial<ExtensionForwarding>): this {
    const entry = this.extensions.get(extension);
    if (!entry) throw new Error(`unknown extension ${extension}`);
    entry.forwarding = { ...entry.forwarding, ...forwarding };
    return this;
  }

  addNumber(number: string, flowId: string): this {
    this.numbers.set(number, flowId);
    return this;
  }

  addQueue(queue: DirectoryQueue): this {
    this.queues.set(queue.id, queue);
    return this;
  }

  addAgent(agent: DirectoryAgent): this {
    this.agentsById.set(agent.agentId, agent);
    return this;
  }

  addContact(number: string, name: string): this {
    this.contacts.set(number, name);
    return this;
  }

  extension(number: string): DirectoryExtension | null {
    return this.extensions.get(number) ?? null;
  }

  flowIdForNumber(number: string): string | null {
    return this.numbers.get(number) ?? null;
  }

  queue(queueId: string): DirectoryQueue | null {
    return this.queues.get(queueId) ?? null;
  }

  agent(agentId: string): DirectoryAgent | null {
    return this.agentsById.get(agentId) ?? null;
  }

  agents(): DirectoryAgent[] {
    return [...this.agentsById.values()];
  }

  callerName(number: string): string | null {
    return this.contacts.get(number) ?? this.extensions.get(number)?.userName ?? null;
  }
}
