/**
 * The browser-safe registry of node types: everything the editor needs to
 * draw the palette, the canvas nodes and the inspector forms.
 */
import type { NodeDefinition, NodeType } from "@/flows/model/types";
import { type StartConfig, startDefinition } from "@/flows/nodes/start/definition";
import { type PlayConfig, playDefinition } from "@/flows/nodes/play/definition";
import { type MenuConfig, menuDefinition } from "@/flows/nodes/menu/definition";
import { type CollectDigitsConfig, collectDigitsDefinition } from "@/flows/nodes/collect_digits/definition";
import { type TimeConditionConfig, timeConditionDefinition } from "@/flows/nodes/time_condition/definition";
import { type DataLookupConfig, dataLookupDefinition } from "@/flows/nodes/data_lookup/definition";
import { type NotifyConfig, notifyDefinition } from "@/flows/nodes/notify/definition";
import { type DialExtensionConfig, dialExtensionDefinition } from "@/flows/nodes/dial_extension/definition";
import { type RingGroupConfig, ringGroupDefinition } from "@/flows/nodes/ring_group/definition";
import { type QueueConfig, queueDefinition } from "@/flows/nodes/queue/definition";
import { type ForwardExternalConfig, forwardExternalDefinition } from "@/flows/nodes/forward_external/definition";
import { type VoicemailConfig, voicemailDefinition } from "@/flows/nodes/voicemail/definition";
import { type SetVariablesConfig, setVariablesDefinition } from "@/flows/nodes/set_variables/definition";
import { type ConditionConfig, conditionDefinition } from "@/flows/nodes/condition/definition";
import { type SendCallDataConfig, sendCallDataDefinition } from "@/flows/nodes/send_call_data/definition";
import { type GotoFlowConfig, gotoFlowDefinition } from "@/flows/nodes/goto_flow/definition";
import { type HangupConfig, hangupDefinition } from "@/flows/nodes/hangup/definition";

/** The config type of each node type (after parsing: defaults filled in). */
export interface NodeConfigs {
  start: StartConfig;
  play: PlayConfig;
  menu: MenuConfig;
  collect_digits: CollectDigitsConfig;
  time_condition: TimeConditionConfig;
  data_lookup: DataLookupConfig;
  notify: NotifyConfig;
  dial_extension: DialExtensionConfig;
  ring_group: RingGroupConfig;
  queue: QueueConfig;
  forward_external: ForwardExternalConfig;
  voicemail: VoicemailConfig;
  set_variables: SetVariablesConfig;
  condition: ConditionConfig;
  send_call_data: SendCallDataConfig;
  goto_flow: GotoFlowConfig;
  hangup: HangupConfig;
}

export type NodeConfig<T extends NodeType> = NodeConfigs[T];

export type NodeDefinitionRegistry = { readonly [T in NodeType]: NodeDefinition<T, NodeConfigs[T]> };

export const nodeDefinitions: NodeDefinitionRegistry = {
  start: startDefinition,
  play: playDefinition,
  menu: menuDefinition,
  collect_digits: collectDigitsDefinition,
  time_condition: timeConditionDefinition,
  data_lookup: dataLookupDefinition,
  notify: notifyDefinition,
  dial_extension: dialExtensionDefinition,
  ring_group: ringGroupDefinition,
  queue: queueDefinition,
  forward_external: forwardExternalDefinition,
  voicemail: voicemailDefinition,
  set_variables: setVariablesDefinition,
  condition: conditionDefinition,
  send_call_data: sendCallDataDefinition,
  goto_flow: gotoFlowDefinition,
  hangup: hangupDefinition,
};

/**
 * A definition for code that handles nodes of any type (validation, analysis).
 * Pass it only configs its own schema produced: TypeScript cannot tie a node's
 * `type` to its `config` through the union, so the config is typed `unknown`.
 */
export function looseDefinition(type: NodeType): NodeDefinition<NodeType, unknown> {
  return nodeDefinitions[type] as NodeDefinition<NodeType, unknown>;
}
