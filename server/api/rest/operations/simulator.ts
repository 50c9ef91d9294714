import { z } from "zod";
import { onRuntime } from "@/server/runtime/callRouting";
import { defineOperation } from "../operation";
import { dialTargetSchema, extensionSchema, isoTimeSchema } from "../schemas/common";
import { callSchema } from "../schemas/calls";
import { agentStateSchema } from "./operations";
import { ServiceError } from "@/server/services/errors";

const callIdPath = z.object({ id: z.string().min(1).max(100) });
const extensionPath = z.object({ ext: extensionSchema });

const traceStepSchema = z
  .object({
    node_id: z.string(),
    type: z.string().describe("Node type"),
    flow_id: z.string().nullable(),
    at: isoTimeSchema.describe("When the node was entered"),
    input: z.record(z.string(), z.unknown()).describe("The node's config as used, templates rendered"),
    output: z.record(z.string(), z.unknown()),
    branch: z.string().nullable().describe("Output port taken; null when the node ended the call or the flow"),
    duration_ms: z.number(),
    error: z.string().optional(),
  })
  .meta({ id: "TraceStep" });

const simulatedCallSchema = callSchema
  .extend({
    current_node_id: z.string().nullable().describe("The flow node the call is in now; null when no flow runs"),
    trace: z.array(traceStepSchema).describe("Every node executed so far"),
  })
  .meta({ id: "SimulatedCall" });

const phoneSchema = z
  .object({ extension: z.string(), behavior: z.enum(["answer", "busy", "no_answer", "dnd", "offline"]), answer_after_s: z.number().nullable() })
  .meta({ id: "SimulatedPhone" });

export const placeSimulatedCall = defineOperation({
  method: "POST",
  path: "/simulator/calls",
  operationId: "placeSimulatedCall",
  summary: "A simulated caller dials a number",
  description: "`from` is an external number or an extension; `to` a DID (runs its flow), an extension or an external number.",
  tag: "Simulator",
  scope: "simulator",
  idempotent: true,
  status: 201,
  body: z.strictObject({ from: dialTargetSchema, to: dialTargetSchema }),
  response: z.object({ call_id: z.string() }),
  errors: [404, 503],
  handler: async ({ body }) => ({ call_id: (await onRuntime("placeSimulatedCall", body)).callId }),
});

export const getSimulatedCall = defineOperation({
  method: "GET",
  path: "/simulator/calls/{id}",
  operationId: "getSimulatedCall",
  summary: "A call with its flow position and trace",
  tag: "Simulator",
  scope: "simulator",
  params: callIdPath,
  response: simulatedCallSchema,
  errors: [404],
  handler: ({ params }) => onRuntime("getSimulatedCall", { callId: params.id }),
});

export const pressDigits = defineOperation({
  method: "POST",
  path: "/simulator/calls/{id}/dtmf",
  operationId: "pressDigits",
  summary: "The caller presses keys",
  tag: "Simulator",
  scope: "simulator",
  params: callIdPath,
  body: z.strictObject({ digits: z.string().regex(/^[0-9*#]{1,32}$/, "1–32 of 0-9, * and #") }),
  status: 204,
  errors: [404, 409],
  handler: ({ params, body }) => onRuntime("pressDigits", { callId: params.id, digits: body.digits }),
});

export const hangUpSimulatedCall = defineOperation({
  method: "POST",
  path: "/simulator/calls/{id}/hangup",
  operationId: "hangUpSimulatedCall",
  summary: "The caller hangs up",
  tag: "Simulator",
  scope: "simulator",
  params: callIdPath,
  status: 204,
  errors: [404, 409],
  handler: ({ params }) => onRuntime("hangUpCaller", { callId: params.id }),
});

export const setPhone = defineOperation({
  method: "PUT",
  path: "/simulator/phones/{ext}",
  operationId: "setPhone",
  summary: "How a simulated phone reacts to calls",
  description: "`answer`: answers after `answer_after_s` seconds of ringing (never on its own when omitted — use `/answer`).",
  tag: "Simulator",
  scope: "simulator",
  params: extensionPath,
  body: z.strictObject({
    behavior: z.enum(["answer", "busy", "no_answer", "dnd", "offline"]),
    answer_after_s: z.number().min(0).max(600).nullable().optional(),
  }),
  response: phoneSchema,
  errors: [404],
  handler: async ({ params, body }) => {
    const answerAfter = body.answer_after_s ?? undefined;
    await onRuntime("setPhoneBehavior", { extension: params.ext, behavior: { behavior: body.behavior, ...(answerAfter !== undefined ? { answer_after_s: answerAfter } : {}) } });
    return { extension: params.ext, behavior: body.behavior, answer_after_s: answerAfter ?? null };
  },
});

export const answerPhone = defineOperation({
  method: "POST",
  path: "/simulator/phones/{ext}/answer",
  operationId: "answerPhone",
  summary: "The phone answers its ringing call",
  tag: "Simulator",
  scope: "simulator",
  params: extensionPath,
  status: 204,
  errors: [404, 409],
  handler: ({ params }) => onRuntime("answerPhone", { extension: params.ext }),
});

export const hangUpPhone = defineOperation({
  method: "POST",
  path: "/simulator/phones/{ext}/hangup",
  operationId: "hangUpPhone",
  summary: "The phone hangs up (or declines a ringing call)",
  tag: "Simulator",
  scope: "simulator",
  params: extensionPath,
  status: 204,
  errors: [404, 409],
  handler: ({ params }) => onRuntime("hangUpPhone", { extension: params.ext }),
});

export const transferFromPhone = defineOperation({
  method: "POST",
  path: "/simulator/phones/{ext}/transfer",
  operationId: "transferFromPhone",
  summary: "The phone transfers its call",
  description: "`attended`: the caller waits on hold while the phone consults `to`; it completes when this phone hangs up after `to` answered.",
  tag: "Simulator",
  scope: "simulator",
  params: extensionPath,
  body: z.strictObject({ to: dialTargetSchema, mode: z.enum(["blind", "attended"]) }),
  status: 204,
  errors: [404, 409],
  handler: ({ params, body }) => onRuntime("transferFromPhone", { extension: params.ext, ...body }),
});

/** What each target state means as an agent action, given where the agent is now. */
function agentActionFor(target: "available" | "paused" | "logged_out", current: string | undefined) {
  if (target === "logged_out") return "logout" as const;
  if (target === "paused") return current === "logged_out" ? null : ("pause" as const);
  return current === "logged_out" ? ("login" as const) : ("resume" as const);
}

export const setAgentState = defineOperation({
  method: "PUT",
  path: "/simulator/agents/{agent_id}",
  operationId: "setAgentState",
  summary: "Change a call-centre agent's state, as the agent would on their phone",
  description: "Log in (`available`), pause with a reason, resume (`available`) or log out. A logged-out agent must become `available` before pausing.",
  tag: "Simulator",
  scope: "simulator",
  params: z.object({ agent_id: z.string().min(1).max(64) }),
  body: z.strictObject({ status: z.enum(["available", "paused", "logged_out"]), pause_reason: z.string().trim().max(60).optional() }),
  response: agentStateSchema,
  errors: [404, 409],
  handler: async ({ params, body }) => {
    const current = (await onRuntime("agentStates", {})).find((a) => a.agent_id === params.agent_id)?.status;
    const action = agentActionFor(body.status, current);
    if (!action) throw new ServiceError("conflict", "A logged-out agent cannot pause; make them available first", { field: "status" });
    return onRuntime("agentAction", { actor: { kind: "api" }, action: { agentId: params.agent_id, action, reason: body.pause_reason } });
  },
});
