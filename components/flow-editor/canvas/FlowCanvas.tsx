"use client";
/**
 * The React Flow canvas. Editable when given the editor state, read-only
 * otherwise (revision history). Nodes come from the working document;
 * drags, connections, deletions and selection go back as editor actions.
 */
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStoreApi,
} from "@xyflow/react";
import { useLocale, useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { type FlowEdge, type Locale, type NodeType, type Position } from "@/flows/model/types";
import { isNodeType } from "@/flows/model/nodeTypes";
import { connect, connectionProblem, reconnect } from "../connections";
import { moveNodes } from "../documentEdits";
import { type EditorDocument, displayLabel, portsOf } from "../editorDocument";
import { type NodeIssues, referenceNames } from "../issues";
import { useTRPC } from "../../trpc";
import type { EditorState, Selection } from "../hooks/useEditorState";
import { useStructure } from "../hooks/useStructure";
import { FlowNodeCard } from "./FlowNodeCard";
import { type FlowCanvasNode, type Highlight, type NodeCache, draggedPositions, measuredSizes, toCanvasEdges, toCanvasNodes } from "./canvasElements";

/** Module scope: React Flow re-mounts every node when this object changes identity. */
const nodeTypes = { flowNode: FlowNodeCard };

/** Problems in red; a call's current step and path (test call, replay) in the brand colours. */
function miniMapColour(node: FlowCanvasNode): string {
  if (node.data.highlight === "active") return "#2f6fde";
  if (node.data.highlight === "visited") return "#93b4ef";
  return node.data.errors > 0 ? "#f87171" : "#94a3b8";
}

/** The palette puts the node type under this type in drag-and-drop data. */
export const NODE_DRAG_TYPE = "application/x-switchboard-node";

/** The whole flow in view, never enlarged beyond its real size. */
export const FIT_VIEW = { padding: 0.15, maxZoom: 1 };

const NO_SELECTION: Selection = { nodes: new Set(), edges: new Set() };

interface FlowCanvasProps {
  document: EditorDocument;
  issues: ReadonlyMap<string, NodeIssues>;
  /** Editing actions; without them the canvas is read-only. */
  editor?: EditorState;
  onAddNode?: (type: NodeType, position: Position) => void;
  highlights?: ReadonlyMap<string, Highlight>;
  addedEdges?: ReadonlySet<string>;
  removedEdges?: FlowEdge[];
  /** A replayed call's path: the connections taken so far and the one into its current step. */
  takenEdges?: ReadonlySet<string>;
  currentEdge?: string | null;
  /** Changing this number fits the view once the current document is drawn (after auto-layout or import). */
  fitRequest?: number;
  /**
   * How the canvas opens: the whole flow in view, or (on a phone, where the whole flow would be too small to read)
   * the start node at the left edge at a readable zoom, the rest a pan away.
   */
  initialView?: "whole" | "start";
}

/** A zoom at which a node's text stays readable on a phone. */
const READABLE_ZOOM = 0.75;

export function FlowCanvas({ document, issues, editor, onAddNode, highlights, addedEdges, removedEdges, takenEdges, currentEdge, fitRequest, initialView = "whole" }: FlowCanvasProps) {
  const locale = useLocale() as Locale;
  const t = useTranslations("editor.canvas");
  const { screenToFlowPosition, fitView, getNode, setViewport } = useReactFlow();
  const store = useStoreApi();
  const [measured, setMeasured] = useState<ReadonlyMap<string, { width: number; height: number }>>(new Map());
  // Mutable on purpose: it remembers built nodes between renders so unchanged ones keep their identity.
  const [cache] = useState<NodeCache>(() => new Map());
  const dragging = useRef(false);
  const readOnly = !editor;
  const selection = editor?.selection ?? NO_SELECTION;
  // The editor object is new on every render; its actions are stable, so callbacks built on them stay stable too.
  const { apply, drag, dragStart, dragStop, selectChanges } = editor ?? {};

  // Fit once every node has been measured: React Flow's own initial fit can run before the last ones are.
  const initialized = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (!initialized || fitted.current) return;
    fitted.current = true;
    const start = initialView === "start" ? getNode(document.nodes.find((node) => node.type === "start")?.id ?? "") : undefined;
    if (start) {
      const paneHeight = store.getState().height;
      const middle = start.position.y + (start.measured?.height ?? 0) / 2;
      void setViewport({ x: 16 - start.position.x * READABLE_ZOOM, y: paneHeight / 2 - middle * READABLE_ZOOM, zoom: READABLE_ZOOM });
    } else void fitView(FIT_VIEW);
  }, [initialized, fitView, initialView, document.nodes, getNode, setViewport, store]);
  // Runs after React Flow has taken the new node positions (its store updates in a child effect).
  useEffect(() => {
    if (fitRequest) void fitView({ ...FIT_VIEW, duration: 300 });
  }, [fitRequest, fitView]);

  // The same cached list the inspector's pickers use: no extra request.
  const pickerOptions = useQuery(useTRPC().flows.pickerOptions.queryOptions()).data;
  const names = useMemo(() => referenceNames(pickerOptions), [pickerOptions]);
  const nodes = useMemo(
    () =>
      toCanvasNodes(
        { document, selectedNodes: selection.nodes, selectedEdges: selection.edges, issues, highlights, measured, locale, readOnly, names },
        cache,
      ),
    [document, selection, issues, highlights, measured, locale, readOnly, names, cache],
  );

  // Connections do not depend on positions: a drag must not rebuild (and make React Flow re-read) every edge.
  const structure = useStructure(document);
  const describeEdge = useMemo(() => {
    const byId = new Map(structure.nodes.map((node) => [node.id, node]));
    return (source: string, port: string, target: string) => {
      const from = byId.get(source);
      const to = byId.get(target);
      const portLabel = from ? (portsOf(from).find((spec) => spec.id === port)?.label[locale] ?? port) : port;
      return t("edgeLabel", { from: from ? displayLabel(from, locale) : source, port: portLabel, to: to ? displayLabel(to, locale) : target });
    };
  }, [structure, locale, t]);
  const edges = useMemo(
    () => toCanvasEdges(structure, selection.edges, { removed: removedEdges, added: addedEdges, taken: takenEdges, current: currentEdge, describe: describeEdge }),
    [structure, selection.edges, removedEdges, addedEdges, takenEdges, currentEdge, describeEdge],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowCanvasNode>[]) => {
      setMeasured((current) => measuredSizes(current, changes));
      if (!apply || !drag || !selectChanges) return;
      const positions = draggedPositions(changes);
      if (positions.size > 0) {
        // Arrow keys move nodes without a drag: each press is its own (mergeable) step.
        if (dragging.current) drag(positions);
        else apply((current) => moveNodes(current, positions), { mergeKey: `move:${[...positions.keys()].join(",")}` });
      }
      selectChanges(changes, []);
    },
    [apply, drag, selectChanges],
  );
  const onEdgesChange = useCallback((changes: EdgeChange[]) => selectChanges?.([], changes), [selectChanges]);

  const isValidConnection = useCallback(
    (connection: Connection | Edge) => connectionProblem(structure, { source: connection.source, sourceHandle: connection.sourceHandle, target: connection.target }) === null,
    [structure],
  );
  const onConnect = useCallback((connection: Connection) => apply?.((current) => connect(current, connection)), [apply]);
  const onReconnect = useCallback((old: Edge, connection: Connection) => apply?.((current) => reconnect(current, old.id, connection)), [apply]);
  const startDrag = useCallback(() => {
    dragging.current = true;
    dragStart?.();
  }, [dragStart]);
  const stopDrag = useCallback(() => {
    dragging.current = false;
    dragStop?.();
  }, [dragStop]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!isNodeType(type) || !onAddNode) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Centre the new node's header under the pointer.
      onAddNode(type, { x: point.x - 120, y: point.y - 24 });
    },
    [onAddNode, screenToFlowPosition],
  );

  const ariaLabelConfig = useMemo(
    () => ({
      "node.a11yDescription.default": t("a11yNode"),
      "node.a11yDescription.keyboardDisabled": t("a11yNodeKeyboard"),
      "edge.a11yDescription.default": t("a11yEdge"),
      "controls.ariaLabel": t("controls"),
      "controls.zoomIn.ariaLabel": t("zoomIn"),
      "controls.zoomOut.ariaLabel": t("zoomOut"),
      "controls.fitView.ariaLabel": t("fitView"),
      "controls.interactive.ariaLabel": t("interactive"),
      "minimap.ariaLabel": t("minimap"),
      "handle.ariaLabel": t("handle"),
    }),
    [t],
  );

  return (
    <ReactFlow<FlowCanvasNode>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onReconnect={readOnly ? undefined : onReconnect}
      onNodeDragStart={startDrag}
      onNodeDragStop={stopDrag}
      onSelectionDragStart={startDrag}
      onSelectionDragStop={stopDrag}
      isValidConnection={isValidConnection}
      onDragOver={onDragOver}
      onDrop={onDrop}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      elementsSelectable={!readOnly}
      edgesReconnectable={!readOnly}
      // Delete and Backspace go through the editor's own shortcuts, like every other key.
      deleteKeyCode={null}
      minZoom={0.2}
      ariaLabelConfig={ariaLabelConfig}
      attributionPosition="top-right"
      aria-label={t("label")}
    >
      <Background gap={20} color="#cbd5e1" />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable nodeColor={miniMapColour} />
    </ReactFlow>
  );
}
