/**
 * Server-side registry: how each node type runs. Typed as a complete map over
 * NodeType, so a node type without an executor does not compile.
 */
import type { NodeExecutor, NodeType } from "@/flows/model/types";
import { executeStart } from "@/flows/nodes/start/execute";
import { executePlay } from "@/flows/nodes/play/execute";
import { executeMenu } from "@/flows/nodes/menu/execute";
import { executeCollectDigits } from "@/flows/nodes/collect_digits/execute";
import { executeTimeCondition } from "@/flows/nodes/time_condition/execute";
import { executeDataLookup } from "@/flows/nodes/data_lookup/execute";
import { executeNotify } from "@/flows/nodes/notify/execute";
import { executeDialExtension } from "@/flows/nodes/dial_extension/execute";
import { executeRingGroup } from "@/flows/nodes/ring_group/execute";
import { executeQueue } from "@/flows/nodes/queue/execute";
import { executeForwardExternal } from "@/flows/nodes/forward_external/execute";
import { executeVoicemail } from "@/flows/nodes/voicemail/execute";
import { executeSetVariables } from "@/flows/nodes/set_variables/execute";
import { executeCondition } from "@/flows/nodes/condition/execute";
import { executeSendCallData } from "@/flows/nodes/send_call_data/execute";
import { executeGotoFlow } from "@/flows/nodes/goto_flow/execute";
import { executeHangup } from "@/flows/nodes/hangup/execute";

export const nodeExecutors: { readonly [T in NodeType]: NodeExecutor<T> } = {
  start: executeStart,
  play: executePlay,
  menu: executeMenu,
  collect_digits: executeCollectDigits,
  time_condition: executeTimeCondition,
  data_lookup: executeDataLookup,
  notify: executeNotify,
  dial_extension: executeDialExtension,
  ring_group: executeRingGroup,
  queue: executeQueue,
  forward_external: executeForwardExternal,
  voicemail: executeVoicemail,
  set_variables: executeSetVariables,
  condition: executeCondition,
  send_call_data: executeSendCallData,
  goto_flow: executeGotoFlow,
  hangup: executeHangup,
};
