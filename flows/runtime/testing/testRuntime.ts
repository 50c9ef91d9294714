/** Wires the doubles into a RuntimeContext, and builds documents and calls for tests. */
import { parseFlowDocument } from "@/flows/model/document";
import type { FlowDocument } from "@/flows/model/types";
import type { RuntimeContext, TraceStep } from "@/flows/runtime/context";
import type { CallInfo, FlowLoader } from "@/flows/runtime/ports";
import { InMemoryIntegration, type InMemoryIntegrationOptions } from "@/flows/runtime/testing/inMemoryIntegration";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";

export class InMemoryFlowLoader implements FlowLoader {
  readonly published = new Map<string, unknown>();
  async loadPublished(flowId: string): Promise<unknown | null> {
    return this.published.get(flowId) ?? null;
  }
}

export interface TestRuntime {
  ctx: RuntimeContext;
  clock: ManualClock;
  integration: InMemoryIntegration;
  flows: InMemoryFlowLoader;
  logger: MemoryLogger;
  /** Steps as streamed to onStep. */
  liveSteps: TraceStep[];
}

export function createTestRuntime(
  options: { start?: string | number; integration?: Omit<InMemoryIntegrationOptions, "clock">; limits?: RuntimeContext["limits"] } = {},
): TestRuntime {
  const clock = new ManualClock(options.start);
  const integration = new InMemoryIntegration({ ...options.integration, clock });
  const flows = new InMemoryFlowLoader();
  const logger = new MemoryLogger();
  const liveSteps: TraceStep[] = [];
  const ctx: RuntimeContext = { clock, integration, flows, logger, onStep: (step) => liveSteps.push(step), limits: options.limits };
  return { ctx, clock, integration, flows, logger, liveSteps };
}

export function testCall(overrides: Partial<CallInfo> = {}): CallInfo {
  return {
    id: "call-1",
    conversationId: "conv-1",
    direction: "inbound",
    caller: { number: "+36301234567", numberRaw: "06301234567", name: null },
    calledNumber: "+3612345678",
    startedAt: "2026-01-05T09:00:00.000Z",
    flowId: "flow-main",
    ...overrides,
  };
}

/** Parses a document, failing the test with the reasons when it is not valid. */
export function flowDocument(input: unknown): FlowDocument {
  const result = parseFlowDocument(input);
  if (!result.ok) throw new Error(`invalid test flow: ${JSON.stringify(result.errors)}`);
  return result.document;
}

type NodeSketch = { id: string; type: string; config?: Record<string, unknown> };

/** A document from nodes and `source:port -> target` edges, positions filled in. */
export function sketchFlow(nodes: NodeSketch[], edges: string[]): FlowDocument {
  return flowDocument({
    schema_version: 1,
    name: "test flow",
    nodes: nodes.map((node, index) => ({ ...node, config: node.config ?? {}, position: { x: index * 200, y: 0 } })),
    edges: edges.map((edge, index) => {
      const [from, target] = edge.split("->").map((part) => part.trim());
      const [source, sourcePort] = from.split(":");
      return { id: `e${index + 1}`, source, source_port: sourcePort, target };
    }),
  });
}
