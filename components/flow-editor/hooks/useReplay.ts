"use client";
/**
 * A past call replayed on the canvas: its stored trace, the revision it ran
 * (or, for a call that ran a draft, the current draft), the step shown and
 * auto-play. Pure placement and highlighting live in ../replay.ts.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import type { FlowDocument } from "@/flows/model/types";
import type { CallReplayView } from "@/server/services/callReplay";
import { useTRPC } from "../../trpc";
import { type EditorDocument, toEditorDocument } from "../editorDocument";
import { type ReplayFrame, type ReplayStep, clampStep, replayFrame, replaySteps } from "../replay";

/** How long each step stays on screen while playing. */
export const PLAY_INTERVAL_MS = 1000;

export type ReplayProblem = "notFound" | "loadFailed" | "otherFlow" | "revisionMissing" | "noSteps";

export type ReplayState =
  | { status: "loading" }
  | { status: "problem"; problem: ReplayProblem; call: CallReplayView | null }
  | {
      status: "ready";
      call: CallReplayView;
      /** Null revision: the call ran a draft, shown on the current draft. */
      onDraft: boolean;
      document: EditorDocument;
      steps: ReplayStep[];
      frame: ReplayFrame;
    };

export interface ReplayControls {
  state: ReplayState;
  playing: boolean;
  go: (index: number) => void;
  first: () => void;
  previous: () => void;
  next: () => void;
  last: () => void;
  togglePlay: () => void;
}

const isNotFound = (error: unknown) => error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "NOT_FOUND";

export function useReplay(flowId: string, callId: string, draft: FlowDocument): ReplayControls {
  const trpc = useTRPC();
  const replay = useQuery({ ...trpc.calls.replay.queryOptions({ callId }), retry: false, staleTime: Infinity, refetchOnWindowFocus: false });
  const call = replay.data;
  const revision = call && call.flow_id === flowId ? call.revision : null;
  const revisionQuery = useQuery({
    ...trpc.flows.revision.queryOptions({ id: flowId, revision: revision ?? 1 }),
    enabled: revision !== null,
    retry: false,
    staleTime: Infinity,
  });
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);

  const base = useMemo((): Exclude<ReplayState, { status: "ready" }> | { status: "ready"; call: CallReplayView; onDraft: boolean; document: EditorDocument; steps: ReplayStep[] } => {
    if (replay.isError) return { status: "problem", problem: isNotFound(replay.error) ? "notFound" : "loadFailed", call: null };
    if (!call) return { status: "loading" };
    if (call.flow_id !== flowId) return { status: "problem", problem: "otherFlow", call };
    if (!Array.isArray(call.steps) || call.steps.length === 0) return { status: "problem", problem: "noSteps", call };
    if (call.revision !== null) {
      if (revisionQuery.isError) return { status: "problem", problem: isNotFound(revisionQuery.error) ? "revisionMissing" : "loadFailed", call };
      if (!revisionQuery.data) return { status: "loading" };
    }
    const document = toEditorDocument(call.revision !== null && revisionQuery.data ? revisionQuery.data : draft);
    return { status: "ready", call, onDraft: call.revision === null, document, steps: replaySteps(document, flowId, call.steps) };
  }, [replay.isError, replay.error, call, flowId, revisionQuery.isError, revisionQuery.error, revisionQuery.data, draft]);

  const length = base.status === "ready" ? base.steps.length : 0;
  const state = useMemo((): ReplayState => (base.status === "ready" ? { ...base, frame: replayFrame(base.steps, index) } : base), [base, index]);

  const go = useCallback(
    (next: number) => {
      setPlaying(false);
      setIndex(Math.max(clampStep(next, length), 0));
    },
    [length],
  );
  const first = useCallback(() => go(0), [go]);
  const last = useCallback(() => go(length - 1), [go, length]);
  const previous = useCallback(() => {
    setPlaying(false);
    setIndex((current) => Math.max(clampStep(current - 1, length), 0));
  }, [length]);
  const next = useCallback(() => {
    setPlaying(false);
    setIndex((current) => Math.max(clampStep(current + 1, length), 0));
  }, [length]);
  // Playback stops by itself on the last step.
  const isPlaying = playing && index < length - 1;
  const togglePlay = useCallback(() => {
    if (isPlaying) {
      setPlaying(false);
      return;
    }
    if (length === 0) return;
    // Playing from the last step starts over.
    if (index >= length - 1) setIndex(0);
    setPlaying(true);
  }, [isPlaying, index, length]);

  useEffect(() => {
    if (!isPlaying) return;
    const timer = window.setInterval(() => setIndex((current) => Math.max(clampStep(current + 1, length), 0)), PLAY_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [isPlaying, length]);

  return { state, playing: isPlaying, go, first, previous, next, last, togglePlay };
}
