"use client";
/**
 * Test calls against the draft, through the simulator. The contract is the
 * `testCalls` tRPC router (start → callId; state polled; dtmf, answer,
 * hangup). That router is not wired yet, so this hook reports
 * `available: false` and the panel explains it; connecting it means
 * replacing the body of `useTestCall` with those calls (poll `state` with
 * `refetchInterval` while the call lasts). The panel and the canvas
 * highlighting already work from these types.
 */

export interface TestCallStep {
  node_id: string;
  type: string;
  at: string;
  branch: string | null;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  duration_ms: number;
}

export interface TestCallState {
  status: string;
  currentNodeId: string | null;
  trace: TestCallStep[];
  prompts: { text: string; language: string; at: string }[];
  phones: { extension: string; state: "ringing" | "answered" | "idle" }[];
  ended: boolean;
  disposition: string | null;
}

export interface TestCallStart {
  flowId: string;
  callerNumber: string;
  calledNumber: string;
  /** Pretend the call happens at this time (ISO 8601), e.g. to try opening hours. */
  at?: string;
}

export interface TestCallSession {
  available: boolean;
  state: TestCallState | null;
  start(input: TestCallStart): void;
  dtmf(digits: string): void;
  answer(extension: string): void;
  hangup(): void;
}

const notConnected = () => undefined;

export function useTestCall(): TestCallSession {
  return { available: false, state: null, start: notConnected, dtmf: notConnected, answer: notConnected, hangup: notConnected };
}
