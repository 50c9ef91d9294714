/**
 * The shared vocabulary of the flow package: what a node type is (definition,
 * browser-safe), how it runs (executor, server-side), and the document shape.
 * Editor, validation, interpreter and server all read these types.
 */
import type { z } from "zod";
import type { TestScenario } from "@/flows/scenarios/schema";
import type { NodeConfigs } from "@/flows/nodes/definitions";
import type { NodeType } from "@/flows/model/nodeTypes";
import type {
  CallChannel,
  CallInfo,
  Clock,
  IntegrationPort,
  Logger,
  LookupResult,
  ResolvedPrompt,
} from "@/flows/runtime/ports";

export type { NodeType } from "@/flows/model/nodeTypes";

export type Locale = "en" | "hu";
export type LocalizedText = Readonly<Record<Locale, string>>;

/** Palette sections of the editor. */
export type NodeGroup = "prompts" | "routing" | "call_centre" | "crm" | "control";

// ---------------------------------------------------------------- document

export interface Position {
  x: number;
  y: number;
}

/** What a caller hears: a plain string spoken in the flow's language, or a detailed prompt. Text is a Liquid template. */
export type Prompt = string | { text: string; language?: string; audio_id?: string };

export interface FlowNodeOf<T extends NodeType> {
  id: string;
  type: T;
  /** Version of the node type's config the document was written with; parsing upgrades it to the current one. */
  version: number;
  position: Position;
  label?: string;
  config: NodeConfigs[T];
}

export type FlowNode = { [T in NodeType]: FlowNodeOf<T> }[NodeType];

export interface FlowEdge {
  id: string;
  source: string;
  source_port: string;
  target: string;
}

export const CURRENT_SCHEMA_VERSION = 1;

export interface FlowDocument {
  schema_version: typeof CURRENT_SCHEMA_VERSION;
  name: string;
  description?: string;
  /** Language of plain-string prompts (BCP 47, e.g. "hu" or "en-GB"); "hu" when absent. */
  language?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Saved test scenarios (flows/scenarios/schema.ts), run against the simulated PBX. */
  test_scenarios?: TestScenario[];
}

/** One problem found while reading or validating a document; `path` is dotted from the document root. */
export interface DocumentIssue {
  path: string;
  message: string;
  node_id?: string;
}

// ---------------------------------------------------------------- definitions

export interface PortSpec {
  id: string;
  label: LocalizedText;
  /** Unconnected required ports are validation errors; unconnected optional ports are warnings (the call ends there). */
  required: boolean;
  /** Ending the call here is the usual intent (after the caller was served): no warning when unconnected. */
  endsCall?: boolean;
}

export type ReferenceKind = "extension" | "queue" | "outbound_api" | "flow" | "audio_prompt";
export type OutboundApiKind = "data_lookup" | "incoming_notification" | "end_of_call";

/** Something outside the flow that a node points at; validation checks it exists. */
export interface NodeReference {
  kind: ReferenceKind;
  id: string;
  /** Path inside the node, e.g. "config.extensions.2". */
  path: string;
  /** For outbound APIs: which kind of API the node needs. */
  apiKind?: OutboundApiKind;
}

/** A config value that is a Liquid template (rendered) or expression (evaluated to a boolean). */
export interface TemplateField {
  path: string;
  template: string;
  kind: "template" | "expression";
}

export interface NodeDefinition<T extends NodeType = NodeType, Config = unknown> {
  readonly type: T;
  /** Bumped when the config shape changes; `upgrade` converts older configs. */
  readonly version: number;
  readonly label: LocalizedText;
  readonly description: LocalizedText;
  readonly group: NodeGroup;
  /** lucide icon name. */
  readonly icon: string;
  readonly configSchema: z.ZodType<Config>;
  /** Config of a freshly dropped node. Fields the admin must choose (extension, queue, API…) start empty. */
  readonly defaults: Config;
  /** True when the node spends time with the caller (plays audio, waits for input or an answer); loops need one. */
  readonly waitsForCaller: boolean;
  ports(config: Config): PortSpec[];
  /** One line of text for the canvas. */
  summary(config: Config, locale: Locale): string;
  references(config: Config): NodeReference[];
  templateFields(config: Config): TemplateField[];
  /** User variables this node writes (for editor autocomplete and validation). */
  variablesSet(config: Config): string[];
  /** Converts a config written with an older `version` of this node type to the current shape. */
  upgrade?(oldConfig: unknown, fromVersion: number): unknown;
}

// ---------------------------------------------------------------- execution

export type TraceData = Record<string, unknown>;

interface StepTrace {
  /** The resolved config (templates rendered), recorded in the trace. */
  input?: TraceData;
  /** What the node observed (digits, dial status, look-up result…). */
  output?: TraceData;
}

/** What an executor tells the interpreter to do next. */
export type NextStep =
  | (StepTrace & {
      kind: "port";
      port: string;
      /** The call was answered by someone: when `port` leads nowhere, the call ends normally rather than as "flow_end". */
      bridged?: boolean;
    })
  | (StepTrace & { kind: "caller_hangup" })
  | (StepTrace & { kind: "end_call"; cause: string })
  | (StepTrace & { kind: "goto_flow"; flowId: string });

export type VariableValue = string | number | boolean | null;

export type DeadlineResult<T> = { status: "done"; value: T } | { status: "timeout" };

/** What an executor may use. One per call, created by the interpreter. */
export interface ExecutionContext {
  readonly call: CallInfo;
  readonly channel: CallChannel;
  readonly integration: IntegrationPort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The flow currently running (changes after goto_flow). */
  readonly flowId: string | null;
  /** Upper bound for any CRM round trip; a CRM outage must never hold a call. */
  readonly integrationTimeoutMs: number;
  /** Renders a Liquid template against the call's scope; throws TemplateError. */
  render(template: string): string;
  /** Renders the prompt's text and picks its language (prompt's own, else `fallbackLanguage`, else the flow's). */
  renderPrompt(prompt: Prompt, fallbackLanguage?: string): ResolvedPrompt;
  /** Evaluates a Liquid expression to a boolean; throws TemplateError. */
  evaluate(expression: string): boolean;
  setVariable(name: string, value: unknown): void;
  /** A copy of the user variables. */
  variables(): Record<string, unknown>;
  /** Publishes a look-up result under `lookup.*` and merges returned variables. */
  setLookup(result: LookupResult): void;
  /** Races an operation against the injected clock. */
  withDeadline<T>(operation: Promise<T>, ms: number): Promise<DeadlineResult<T>>;
}

export type NodeExecutor<T extends NodeType> = (ctx: ExecutionContext, node: FlowNodeOf<T>) => Promise<NextStep>;
