/** Graph checks: one start, unique ids, sound edges, connected ports, reachability, and loops that wait for the caller. */
import { reachableFrom, stronglyConnectedComponents } from "@/flows/model/graph";
import type { IssueCollector } from "@/flows/validation/issues";
import type { EdgeView, FlowView } from "@/flows/validation/flowView";

export function checkStructure(view: FlowView, issues: IssueCollector): void {
  checkStart(view, issues);
  checkUniqueIds(view, issues);
  const usable = checkEdges(view, issues);
  checkPorts(view, usable, issues);
  const next = successorMap(view, usable);
  checkReachability(view, next, issues);
  checkLoops(view, next, issues);
}

function checkStart(view: FlowView, issues: IssueCollector): void {
  const starts = view.nodes.filter((node) => node.type === "start");
  if (starts.length === 0) issues.error("start_missing", { path: "nodes" });
  for (const extra of starts.slice(1)) issues.error("start_multiple", { path: `nodes.${extra.index}`, node_id: extra.id });
}

function checkUniqueIds(view: FlowView, issues: IssueCollector): void {
  for (const node of view.nodes) {
    if (view.byId.get(node.id) !== node) issues.error("node_id_duplicate", { path: `nodes.${node.index}.id`, node_id: node.id }, { id: node.id });
  }
  const edgeIds = new Set<string>();
  for (const edge of view.edges) {
    if (edgeIds.has(edge.id)) issues.error("edge_id_duplicate", { path: `edges.${edge.index}.id` }, { id: edge.id });
    edgeIds.add(edge.id);
  }
}

/** Reports broken edges and returns the usable ones (first edge per output port). */
function checkEdges(view: FlowView, issues: IssueCollector): EdgeView[] {
  const usable: EdgeView[] = [];
  const targetOfPort = new Map<string, string>();
  for (const edge of view.edges) {
    const path = `edges.${edge.index}`;
    const source = view.byId.get(edge.source);
    if (!source) {
      issues.error("edge_source_missing", { path: `${path}.source` }, { id: edge.source });
      continue;
    }
    if (!view.byId.has(edge.target)) {
      issues.error("edge_target_missing", { path: `${path}.target`, node_id: source.id }, { id: edge.target });
      continue;
    }
    if (source.ports && !source.ports.some((port) => port.id === edge.source_port)) {
      issues.error("edge_port_unknown", { path: `${path}.source_port`, node_id: source.id }, { node: source.id, port: edge.source_port });
      continue;
    }
    const portKey = `${edge.source}\u0000${edge.source_port}`;
    const existing = targetOfPort.get(portKey);
    if (existing === edge.target) {
      issues.error("edge_duplicate", { path, node_id: source.id });
    } else if (existing !== undefined) {
      issues.error("port_multiple_edges", { path, node_id: source.id }, { port: edge.source_port });
    } else {
      targetOfPort.set(portKey, edge.target);
      usable.push(edge);
    }
  }
  return usable;
}

function checkPorts(view: FlowView, usable: EdgeView[], issues: IssueCollector): void {
  const connected = new Set(usable.map((edge) => `${edge.source}\u0000${edge.source_port}`));
  for (const node of view.nodes) {
    if (view.byId.get(node.id) !== node) continue;
    for (const port of node.ports ?? []) {
      if (connected.has(`${node.id}\u0000${port.id}`)) continue;
      const where = { path: `nodes.${node.index}.ports.${port.id}`, node_id: node.id };
      if (port.required) issues.error("port_unconnected", where, { port: port.id });
      else if (!port.endsCall) issues.warning("port_unconnected_optional", where, { port: port.id });
    }
  }
}

function successorMap(view: FlowView, usable: EdgeView[]): Map<string, string[]> {
  const next = new Map<string, string[]>([...view.byId.keys()].map((id) => [id, []]));
  for (const edge of usable) next.get(edge.source)?.push(edge.target);
  return next;
}

function checkReachability(view: FlowView, next: Map<string, string[]>, issues: IssueCollector): void {
  const starts = view.nodes.filter((node) => node.type === "start").map((node) => node.id);
  if (starts.length === 0) return;
  const reached = reachableFrom(next, starts);
  for (const node of view.nodes) {
    if (!reached.has(node.id)) issues.warning("node_unreachable", { path: `nodes.${node.index}`, node_id: node.id });
  }
}

/** A loop through nodes that never wait for the caller would spin until the step guard stops the call. */
function checkLoops(view: FlowView, next: Map<string, string[]>, issues: IssueCollector): void {
  for (const component of stronglyConnectedComponents(next)) {
    const isLoop = component.length > 1 || (next.get(component[0]) ?? []).includes(component[0]);
    if (!isLoop) continue;
    const members = component.map((id) => view.byId.get(id)).filter((node) => node !== undefined);
    if (members.some((node) => node.definition.waitsForCaller)) continue;
    members.sort((a, b) => a.index - b.index);
    const first = members[0];
    issues.error("loop_without_wait", { path: `nodes.${first.index}`, node_id: first.id }, { nodes: members.map((node) => node.id).join(", ") });
  }
}
