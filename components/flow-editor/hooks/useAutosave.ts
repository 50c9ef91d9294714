"use client";
/**
 * Saves the draft about a second after the last change. Each save names the
 * draft version it builds on, so when another admin saved in between the
 * server refuses and the editor shows a conflict instead of overwriting them.
 * A document that cannot be read yet (a field still empty) is not sent; the
 * status says so until it is complete.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import type { ParseResult } from "@/flows/model/document";
import { useTRPC } from "../../trpc";
import type { EditorDocument } from "../editorDocument";

export type SaveStatus = "saved" | "pending" | "saving" | "incomplete" | "conflict" | "error";

const AUTOSAVE_DELAY_MS = 1000;

type Phase = "idle" | "saving" | "conflict" | "error";

function isConflict(error: unknown): boolean {
  return error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "PRECONDITION_FAILED";
}

export function useAutosave({
  flowId,
  document,
  parsed,
  initialVersion,
}: {
  flowId: string;
  document: EditorDocument;
  /** `document` read by parseFlowDocument: only a readable document is sent. */
  parsed: ParseResult;
  initialVersion: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { mutateAsync } = useMutation(trpc.flows.saveDraft.mutationOptions());
  const [saved, setSaved] = useState(document);
  const [phase, setPhase] = useState<Phase>("idle");
  const version = useRef(initialVersion);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const latest = useRef({ document, parsed });
  useEffect(() => {
    latest.current = { document, parsed };
  });

  const save = useCallback(async (): Promise<boolean> => {
    if (inFlight.current) await inFlight.current;
    const { document: sending, parsed: readable } = latest.current;
    if (!readable.ok) return false;
    setPhase("saving");
    const attempt = mutateAsync({ id: flowId, document: readable.document, expectedVersion: version.current })
      .then((result) => {
        version.current = result.draftVersion;
        setSaved(sending);
        setPhase("idle");
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
        return true;
      })
      .catch((error: unknown) => {
        setPhase(isConflict(error) ? "conflict" : "error");
        return false;
      })
      .finally(() => {
        inFlight.current = null;
      });
    inFlight.current = attempt;
    return attempt;
  }, [flowId, mutateAsync, queryClient, trpc]);

  const blocked = phase === "conflict";
  const changed = document !== saved;
  useEffect(() => {
    if (!changed || blocked || !parsed.ok) return;
    const timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [changed, blocked, parsed, save]);

  const status: SaveStatus =
    phase === "conflict" || phase === "saving" || phase === "error" ? phase : !changed ? "saved" : parsed.ok ? "pending" : "incomplete";

  useEffect(() => {
    if (status === "saved") return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [status]);

  /** Saves now unless there is nothing to save; false when it could not (incomplete, conflict, server error). */
  const saveNow = useCallback(async () => {
    if (blocked) return false;
    if (latest.current.document === saved && !inFlight.current) return true;
    return save();
  }, [blocked, save, saved]);

  /** Keeps my version after a conflict: saves over the other admin's, building on their latest version. */
  const overwrite = useCallback(async () => {
    const current = await queryClient.fetchQuery({ ...trpc.flows.get.queryOptions({ id: flowId }), staleTime: 0 });
    version.current = current.draftVersion;
    return save();
  }, [flowId, queryClient, save, trpc]);

  return { status, saveNow, overwrite };
}
