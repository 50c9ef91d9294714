"use client";
/**
 * The editor's commands, shared by the toolbar, the inspector and the
 * keyboard: add, copy/cut/paste (system clipboard with an in-memory
 * fallback), duplicate, delete, select all, auto-layout, and showing a node.
 */
import { type RefObject, useCallback, useMemo, useRef } from "react";
import { useReactFlow } from "@xyflow/react";
import type { NodeType, Position } from "@/flows/model/types";
import { FIT_VIEW } from "../canvas/FlowCanvas";
import { type ClipboardPayload, clipboardText, copyNodes, pasteNodes, readClipboardText } from "../clipboard";
import { addNode, deleteElements, moveNodes } from "../documentEdits";
import { nodeIds, uniqueId } from "../editorDocument";
import { DEFAULT_NODE_SIZE, type NodeSize, layoutPositions } from "../layout";
import type { EditorState } from "./useEditorState";


/** `requestFit` asks the canvas to fit the view once a change of positions is drawn. */
export function useEditorCommands(editor: EditorState, canvas: RefObject<HTMLElement | null>, requestFit: () => void) {
  const flow = useReactFlow();
  const memory = useRef<ClipboardPayload | null>(null);
  const { apply, select, document, selection } = editor;

  const add = useCallback(
    (type: NodeType, position: Position) => {
      const id = uniqueId(type, nodeIds(document));
      apply((current) => addNode(current, type, position).document, { select: { nodes: new Set([id]), edges: new Set() } });
    },
    [apply, document],
  );

  /** Click-to-add: the middle of the visible canvas, stepping aside from nodes already there. */
  const addAtCentre = useCallback(
    (type: NodeType) => {
      const rect = canvas.current?.getBoundingClientRect();
      const centre = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
      let position = { x: Math.round(centre.x - DEFAULT_NODE_SIZE.width / 2), y: Math.round(centre.y - DEFAULT_NODE_SIZE.height / 2) };
      while (document.nodes.some((node) => Math.abs(node.position.x - position.x) < 20 && Math.abs(node.position.y - position.y) < 20)) {
        position = { x: position.x + 30, y: position.y + 30 };
      }
      add(type, position);
    },
    [add, canvas, document, flow],
  );

  const copy = useCallback(async () => {
    const payload = copyNodes(document, selection.nodes);
    if (!payload) return;
    memory.current = payload;
    // The system clipboard lets a selection travel to another flow or tab; without permission the in-memory copy still works here.
    await navigator.clipboard?.writeText(clipboardText(payload)).catch(() => undefined);
  }, [document, selection.nodes]);

  const insert = useCallback(
    (payload: ClipboardPayload) => {
      const { pastedIds } = pasteNodes(document, payload);
      apply((current) => pasteNodes(current, payload).document, { select: { nodes: new Set(pastedIds), edges: new Set() } });
    },
    [apply, document],
  );

  const paste = useCallback(async () => {
    const text = await navigator.clipboard?.readText().catch(() => undefined);
    const payload = (text && readClipboardText(text)) || memory.current;
    if (payload) insert(payload);
  }, [insert]);

  const remove = useCallback(() => apply((current) => deleteElements(current, selection.nodes, selection.edges)), [apply, selection]);

  const cut = useCallback(async () => {
    await copy();
    remove();
  }, [copy, remove]);

  const duplicate = useCallback(() => {
    const payload = copyNodes(document, selection.nodes);
    if (payload) insert(payload);
  }, [document, insert, selection.nodes]);

  const selectAll = useCallback(
    () => select({ nodes: new Set(document.nodes.map((node) => node.id)), edges: new Set(document.edges.map((edge) => edge.id)) }),
    [document, select],
  );

  const fitView = useCallback(() => void flow.fitView({ ...FIT_VIEW, duration: 300 }), [flow]);

  const layout = useCallback(async () => {
    const sizes = new Map<string, NodeSize>();
    for (const node of flow.getNodes()) if (node.measured?.width && node.measured.height) sizes.set(node.id, node.measured as NodeSize);
    const positions = await layoutPositions(document, sizes);
    apply((current) => moveNodes(current, positions));
    requestFit();
  }, [apply, document, flow, requestFit]);

  /** Selects a node and brings it to the middle of the view (problems list, test-call trace). */
  const showNode = useCallback(
    (id: string) => {
      const node = document.nodes.find((item) => item.id === id);
      if (!node) return;
      select({ nodes: new Set([id]), edges: new Set() });
      const size = flow.getNode(id)?.measured ?? DEFAULT_NODE_SIZE;
      void flow.setCenter(node.position.x + (size.width ?? 0) / 2, node.position.y + (size.height ?? 0) / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 300 });
    },
    [document, flow, select],
  );

  return useMemo(
    () => ({ add, addAtCentre, copy, cut, paste, duplicate, remove, selectAll, fitView, layout, showNode }),
    [add, addAtCentre, copy, cut, paste, duplicate, remove, selectAll, fitView, layout, showNode],
  );
}

export type EditorCommands = ReturnType<typeof useEditorCommands>;
