/**
 * The closed list of node types. Both registries (definitions, executors) are
 * typed as complete maps over this list, so adding a type here without its
 * definition and executor fails to compile.
 */
export const NODE_TYPES = [
  "start",
  "play",
  "menu",
  "collect_digits",
  "time_condition",
  "data_lookup",
  "notify",
  "dial_extension",
  "ring_group",
  "queue",
  "forward_external",
  "voicemail",
  "set_variables",
  "condition",
  "send_call_data",
  "goto_flow",
  "hangup",
] as const;

export type NodeType = (typeof NODE_TYPES)[number];

const nodeTypeSet: ReadonlySet<string> = new Set(NODE_TYPES);

export function isNodeType(value: unknown): value is NodeType {
  return typeof value === "string" && nodeTypeSet.has(value);
}
