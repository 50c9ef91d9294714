import type { Clock, TimerHandle } from "@/flows/runtime/ports";
import { isoTime } from "./cdr";
import type { Directory } from "./directory";
import { PbxError } from "./errors";
import type { AgentStateChange, AgentStatus } from "./events";

/** API.md `GET /agents/status` item. */
export interface AgentStateView {
  agent_id: string;
  user_id: string | null;
  name: string;
  extension: string;
  status: AgentStatus;
  pause_reason: string | null;
  since: string | null;
}

interface AgentRuntime {
  agentId: string;
  status: AgentStatus;
  pauseReason: string | null;
  since: number;
  /** Orders longest-idle offers: when the agent last finished a call, became available or missed an offer. */
  idleSince: number;
  /** The queue caller this agent's phone is ringing for, if any. */
  reservedBy: object | null;
  /** After a refused offer (busy, offline phone) the agent is skipped until then, so offers cannot spin. */
  coolingUntil: number;
  timer: TimerHandle | null;
}

export interface AgentBoardDeps {
  clock: Clock;
  directory: Directory;
  onStateChange: (change: AgentStateChange) => void;
  /** An agent may take a queue call now (became available, finished cooling down). */
  onFree: (agentId: string) => void;
}

const COOL_DOWN_MS = 5000;

/** Agent states, their append-only history (as events) and their availability for queue offers. */
export class AgentBoard {
  private readonly runtimes = new Map<string, AgentRuntime>();

  constructor(private readonly deps: AgentBoardDeps) {}

  login(agentId: string): void {
    const agent = this.runtime(agentId);
    if (agent.status !== "logged_out") return;
    agent.idleSince = this.deps.clock.now();
    this.setStatus(agent, "available", null);
  }

  logout(agentId: string): void {
    const agent = this.runtime(agentId);
    if (agent.status !== "logged_out") this.setStatus(agent, "logged_out", null);
  }

  pause(agentId: string, reason: string | null): void {
    const agent = this.runtime(agentId);
    if (agent.status === "logged_out") throw new PbxError("conflict", `agent ${agentId} is not logged in`);
    if (agent.status !== "paused" || agent.pauseReason !== reason) this.setStatus(agent, "paused", reason);
  }

  resume(agentId: string): void {
    const agent = this.runtime(agentId);
    if (agent.status !== "paused") throw new PbxError("conflict", `agent ${agentId} is not paused`);
    this.setStatus(agent, "available", null);
  }

  /** A queue call was answered by the agent. */
  callAnswered(agentId: string): void {
    const agent = this.runtime(agentId);
    agent.reservedBy = null;
    if (agent.status === "available") this.setStatus(agent, "on_call", null);
  }

  /** The agent's queue call ended; a pause or logout taken meanwhile stays. */
  callEnded(agentId: string, wrapUpS: number): void {
    const agent = this.runtime(agentId);
    if (agent.status !== "on_call") return;
    agent.idleSince = this.deps.clock.now();
    if (wrapUpS <= 0) return this.setStatus(agent, "available", null);
    this.setStatus(agent, "wrap_up", null);
    agent.timer = this.deps.clock.setTimeout(() => {
      agent.timer = null;
      if (agent.status === "wrap_up") this.setStatus(agent, "available", null);
    }, wrapUpS * 1000);
  }

  isLoggedIn(agentId: string): boolean {
    return (this.runtimes.get(agentId)?.status ?? "logged_out") !== "logged_out";
  }

  isFree(agentId: string): boolean {
    const agent = this.runtimes.get(agentId);
    return !!agent && agent.status === "available" && agent.reservedBy === null && agent.coolingUntil <= this.deps.clock.now();
  }

  idleSince(agentId: string): number {
    return this.runtimes.get(agentId)?.idleSince ?? 0;
  }

  reserve(agentId: string, by: object): void {
    this.runtime(agentId).reservedBy = by;
  }

  /** Ends an offer that was not answered: `missed` moves the agent to the back of the idle order, `refused` also cools down. */
  release(agentId: string, how: "cancelled" | "missed" | "refused"): void {
    const agent = this.runtime(agentId);
    agent.reservedBy = null;
    const now = this.deps.clock.now();
    if (how !== "cancelled") agent.idleSince = now;
    if (how === "refused") {
      agent.coolingUntil = now + COOL_DOWN_MS;
      this.deps.clock.setTimeout(() => this.deps.onFree(agentId), COOL_DOWN_MS);
    }
  }

  states(): AgentStateView[] {
    return this.deps.directory.agents().map((entry) => {
      const agent = this.runtimes.get(entry.agentId);
      return {
        agent_id: entry.agentId,
        user_id: entry.userId,
        name: entry.name,
        extension: entry.extension,
        status: agent?.status ?? "logged_out",
        pause_reason: agent?.pauseReason ?? null,
        since: agent ? isoTime(agent.since) : null,
      };
    });
  }

  /** Stops wrap-up timers (shutdown). */
  dispose(): void {
    for (const agent of this.runtimes.values()) {
      if (agent.timer) this.deps.clock.clearTimeout(agent.timer);
      agent.timer = null;
    }
  }

  private setStatus(agent: AgentRuntime, status: AgentStatus, pauseReason: string | null): void {
    if (agent.timer) this.deps.clock.clearTimeout(agent.timer);
    agent.timer = null;
    const now = this.deps.clock.now();
    agent.status = status;
    agent.pauseReason = pauseReason;
    agent.since = now;
    this.deps.onStateChange({ agent_id: agent.agentId, status, pause_reason: pauseReason, at: isoTime(now) });
    if (status === "available") this.deps.onFree(agent.agentId);
  }

  private runtime(agentId: string): AgentRuntime {
    let agent = this.runtimes.get(agentId);
    if (!agent) {
      if (!this.deps.directory.agent(agentId)) throw new PbxError("not_found", `unknown agent ${agentId}`);
      agent = { agentId, status: "logged_out", pauseReason: null, since: this.deps.clock.now(), idleSince: 0, reservedBy: null, coolingUntil: 0, timer: null };
      this.runtimes.set(agentId, agent);
    }
    return agent;
  }
}
