"use client";
/**
 * Publishing: saves the draft first, then freezes it as the next numbered
 * revision. Also tells whether the draft differs from what calls run now.
 */
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import type { ParseResult } from "@/flows/model/document";
import { useTRPC } from "../../trpc";
import { diffDocuments, hasBehaviourChanges } from "../diff";
import { toEditorDocument } from "../editorDocument";

export type PublishOutcome = { ok: true; revision: number } | { ok: false; message?: string };

export function usePublishing({ flowId, initialRevision, parsed, saveNow }: { flowId: string; initialRevision: number | null; parsed: ParseResult; saveNow: () => Promise<boolean> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [latestRevision, setLatestRevision] = useState(initialRevision);
  const published = useQuery({
    ...trpc.flows.revision.queryOptions({ id: flowId, revision: latestRevision ?? 1 }),
    enabled: latestRevision !== null,
    staleTime: Infinity,
  });
  const publishMutation = useMutation(trpc.flows.publish.mutationOptions());

  const unpublishedChanges = useMemo(() => {
    if (latestRevision === null) return false; // never published: the status says so instead
    if (!parsed.ok) return true;
    return published.data ? hasBehaviourChanges(diffDocuments(toEditorDocument(published.data), toEditorDocument(parsed.document))) : false;
  }, [latestRevision, parsed, published.data]);

  async function publish(): Promise<PublishOutcome> {
    if (!(await saveNow())) return { ok: false };
    try {
      const result = await publishMutation.mutateAsync({ id: flowId });
      setLatestRevision(result.revision);
      void queryClient.invalidateQueries({ queryKey: trpc.flows.revisions.queryKey({ id: flowId }) });
      void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
      return { ok: true, revision: result.revision };
    } catch (error) {
      return { ok: false, message: error instanceof TRPCClientError ? error.message : undefined };
    }
  }

  return { latestRevision, unpublishedChanges, publish, publishing: publishMutation.isPending };
}
