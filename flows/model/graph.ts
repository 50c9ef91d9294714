/** Graph views of a flow document used by validation, autocomplete and the interpreter. */
import type { FlowEdge, FlowNode } from "@/flows/model/types";

interface GraphInput {
  nodes: readonly Pick<FlowNode, "id">[];
  edges: readonly Pick<FlowEdge, "source" | "target">[];
}

/** node id → ids of the nodes its edges lead to (edges to unknown nodes are left out). */
export function successors(graph: GraphInput): Map<string, string[]> {
  const result = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
  for (const edge of graph.edges) {
    if (result.has(edge.target)) result.get(edge.source)?.push(edge.target);
  }
  return result;
}

/** Ids of all nodes reachable from the `from` nodes (including them). */
export function reachableFrom(next: ReadonlyMap<string, readonly string[]>, from: Iterable<string>): Set<string> {
  const seen = new Set<string>(from);
  const stack = [...seen];
  while (stack.length > 0) {
    for (const target of next.get(stack.pop() as string) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return seen;
}

/** Ids of the nodes that can run before `nodeId` (its ancestors, excluding itself unless it is on a loop). */
export function ancestorsOf(graph: GraphInput, nodeId: string): Set<string> {
  const previous = new Map<string, string[]>(graph.nodes.map((node) => [node.id, []]));
  for (const edge of graph.edges) {
    if (previous.has(edge.source)) previous.get(edge.target)?.push(edge.source);
  }
  return reachableFrom(previous, previous.get(nodeId) ?? []);
}

/** Strongly connected components (Tarjan), iterative so big flows cannot overflow the stack. */
export function stronglyConnectedComponents(next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; child: number }[] = [{ node: root, child: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = next.get(frame.node) ?? [];
      if (frame.child < targets.length) {
        const target = targets[frame.child++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, child: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}
