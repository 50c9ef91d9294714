"use client";
/**
 * The editor's state: the working document with its undo history, and what
 * is selected. Every edit goes through `apply`, so each one is undoable.
 */
import { useCallback, useMemo, useReducer } from "react";
import type { EdgeChange, NodeChange } from "@xyflow/react";
import type { Position } from "@/flows/model/types";
import type { EditorDocument } from "../editorDocument";
import { moveNodes } from "../documentEdits";
import { applySelectChanges } from "../canvas/canvasElements";
import { type History, checkpoint, createHistory, dropEmptyCheckpoint, record, redo, replacePresent, undo } from "../history";

export interface Selection {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

const NOTHING: Selection = { nodes: new Set(), edges: new Set() };

interface State {
  history: History<EditorDocument>;
  selection: Selection;
}

type Action =
  | { kind: "apply"; change: (document: EditorDocument) => EditorDocument; mergeKey?: string; select?: Selection }
  | { kind: "dragStart" }
  | { kind: "drag"; positions: ReadonlyMap<string, Position> }
  | { kind: "dragStop" }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "select"; selection: Selection }
  | { kind: "selectChanges"; nodeChanges: NodeChange[]; edgeChanges: EdgeChange[] };

const samePositions = (a: EditorDocument, b: EditorDocument) => a.nodes.length === b.nodes.length && a.nodes.every((node, i) => node === b.nodes[i]);

/** Keeps only selected ids that still exist (after undo, delete…). */
function prune(selection: Selection, document: EditorDocument): Selection {
  if (selection.nodes.size === 0 && selection.edges.size === 0) return selection;
  const nodeIds = new Set(document.nodes.map((node) => node.id));
  const edgeIds = new Set(document.edges.map((edge) => edge.id));
  return { nodes: new Set([...selection.nodes].filter((id) => nodeIds.has(id))), edges: new Set([...selection.edges].filter((id) => edgeIds.has(id))) };
}

function reducer(state: State, action: Action): State {
  switch (action.kind) {
    case "apply": {
      const history = record(state.history, action.change(state.history.present), { mergeKey: action.mergeKey });
      return { history, selection: prune(action.select ?? state.selection, history.present) };
    }
    case "dragStart":
      return { ...state, history: checkpoint(state.history) };
    case "drag":
      return { ...state, history: replacePresent(state.history, moveNodes(state.history.present, action.positions)) };
    case "dragStop":
      return { ...state, history: dropEmptyCheckpoint(state.history, samePositions) };
    case "undo":
    case "redo": {
      const history = action.kind === "undo" ? undo(state.history) : redo(state.history);
      return { history, selection: prune(state.selection, history.present) };
    }
    case "select":
      return { ...state, selection: action.selection };
    case "selectChanges": {
      // Applied here, against the current selection: React Flow reports node and edge selection in separate calls.
      const nodes = applySelectChanges(state.selection.nodes, action.nodeChanges);
      const edges = applySelectChanges(state.selection.edges, action.edgeChanges);
      return nodes === state.selection.nodes && edges === state.selection.edges ? state : { ...state, selection: { nodes, edges } };
    }
  }
}

/** `initial` is called once: building the working copy of a large flow is too costly for every render. */
export function useEditorState(initial: () => EditorDocument) {
  const [state, dispatch] = useReducer(reducer, initial, (create): State => ({ history: createHistory(create()), selection: NOTHING }));
  const apply = useCallback(
    (change: (document: EditorDocument) => EditorDocument, options: { mergeKey?: string; select?: Selection } = {}) =>
      dispatch({ kind: "apply", change, ...options }),
    [],
  );
  const actions = useMemo(
    () => ({
      apply,
      dragStart: () => dispatch({ kind: "dragStart" }),
      drag: (positions: ReadonlyMap<string, Position>) => dispatch({ kind: "drag", positions }),
      dragStop: () => dispatch({ kind: "dragStop" }),
      undo: () => dispatch({ kind: "undo" }),
      redo: () => dispatch({ kind: "redo" }),
      select: (selection: Selection) => dispatch({ kind: "select", selection }),
      selectChanges: (nodeChanges: NodeChange[], edgeChanges: EdgeChange[]) => dispatch({ kind: "selectChanges", nodeChanges, edgeChanges }),
    }),
    [apply],
  );
  return {
    document: state.history.present,
    selection: state.selection,
    canUndo: state.history.past.length > 0,
    canRedo: state.history.future.length > 0,
    ...actions,
  };
}

export type EditorState = ReturnType<typeof useEditorState>;
