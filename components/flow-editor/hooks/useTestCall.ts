"use client";
/**
 * A test call against the draft, through the `testCalls` router: the draft is
 * saved first (the server runs what is saved), then the call's state is
 * polled while it lasts so the panel and the canvas follow it live.
 */
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "../../trpc";

export type TestCallState = inferRouterOutputs<AppRouter>["testCalls"]["state"];

interface TestCallStart {
  callerNumber: string;
  calledNumber: string;
  /** Pretend the call happens at this moment (ISO 8601), e.g. to try opening hours. */
  at?: string;
}

const POLL_MS = 400;

export function useTestCall(flowId: string, saveDraft: () => Promise<boolean>) {
  const trpc = useTRPC();
  const [callId, setCallId] = useState<string | null>(null);
  const [problem, setProblem] = useState<"notSaved" | "failed" | null>(null);
  const startCall = useMutation(trpc.testCalls.start.mutationOptions());
  const dtmf = useMutation(trpc.testCalls.dtmf.mutationOptions());
  const answer = useMutation(trpc.testCalls.answer.mutationOptions());
  const hangup = useMutation(trpc.testCalls.hangup.mutationOptions());
  const state = useQuery({
    ...trpc.testCalls.state.queryOptions({ callId: callId ?? "" }),
    enabled: callId !== null,
    retry: false,
    refetchInterval: (query) => (query.state.data?.ended ? false : POLL_MS),
  });

  async function start(input: TestCallStart) {
    setProblem(null);
    if (!(await saveDraft())) return setProblem("notSaved");
    try {
      setCallId((await startCall.mutateAsync({ flowId, ...input })).callId);
    } catch {
      setProblem("failed");
    }
  }

  return {
    state: callId === null ? null : (state.data ?? null),
    problem,
    starting: startCall.isPending,
    start,
    dtmf: (digits: string) => callId && dtmf.mutate({ callId, digits }),
    answer: (extension: string) => callId && answer.mutate({ callId, extension }),
    hangup: () => callId && hangup.mutate({ callId }),
  };
}

export type TestCallSession = ReturnType<typeof useTestCall>;
