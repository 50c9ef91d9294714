/** Small documents for the editor's unit tests. */
import type { EditorDocument, EditorNode } from "./editorDocument";

export function editorNode(id: string, type: EditorNode["type"], config: Record<string, unknown> = {}, x = 0, y = 0): EditorNode {
  return { id, type, version: 1, position: { x, y }, config };
}

/** start → menu (keys 1, 2) → 1: hangup. */
export function menuDocument(): EditorDocument {
  return {
    schema_version: 1,
    name: "Reception",
    nodes: [
      editorNode("start", "start"),
      editorNode("menu", "menu", { prompt: "Press 1 or 2", options: ["1", "2"], timeout_s: 5, max_retries: 2 }, 300, 0),
      editorNode("bye", "hangup", {}, 600, 0),
    ],
    edges: [
      { id: "e1", source: "start", source_port: "next", target: "menu" },
      { id: "e2", source: "menu", source_port: "1", target: "bye" },
    ],
  };
}
