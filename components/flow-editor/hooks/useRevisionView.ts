"use client";
/**
 * A published revision shown read-only on the canvas, compared with the
 * revision before it: added and changed nodes highlighted, removed nodes and
 * connections drawn as ghosts where they used to be.
 */
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import type { FlowEdge } from "@/flows/model/types";
import { useTRPC } from "../../trpc";
import type { Highlight } from "../canvas/canvasElements";
import { type FlowDiff, diffDocuments } from "../diff";
import { type EditorDocument, toEditorDocument } from "../editorDocument";

export interface RevisionView {
  revision: number;
  document: EditorDocument;
  diff: FlowDiff;
  highlights: ReadonlyMap<string, Highlight>;
  addedEdges: ReadonlySet<string>;
  removedEdges: FlowEdge[];
}

export function useRevisionView(flowId: string, revision: number | null): RevisionView | null {
  const trpc = useTRPC();
  const current = useQuery({ ...trpc.flows.revision.queryOptions({ id: flowId, revision: revision ?? 1 }), enabled: revision !== null, staleTime: Infinity });
  const hasPrevious = revision !== null && revision > 1;
  const previous = useQuery({
    ...trpc.flows.revision.queryOptions({ id: flowId, revision: (revision ?? 2) - 1 }),
    enabled: hasPrevious,
    staleTime: Infinity,
  });
  return useMemo(() => {
    if (revision === null || !current.data || (hasPrevious && !previous.data)) return null;
    const after = toEditorDocument(current.data);
    // The first revision has nothing to compare with: shown without highlights.
    const before = previous.data && hasPrevious ? toEditorDocument(previous.data) : after;
    const diff = diffDocuments(before, after);
    const ghosts = before.nodes.filter((node) => diff.removed.has(node.id));
    const highlights = new Map<string, Highlight>([
      ...[...diff.added].map((id) => [id, "added"] as const),
      ...[...diff.changed].map((id) => [id, "changed"] as const),
      ...ghosts.map((node) => [node.id, "removed"] as const),
    ]);
    return {
      revision,
      document: { ...after, nodes: [...after.nodes, ...ghosts] },
      diff,
      highlights,
      addedEdges: new Set(diff.addedEdges.map((edge) => edge.id)),
      removedEdges: diff.removedEdges,
    };
  }, [revision, current.data, previous.data, hasPrevious]);
}
