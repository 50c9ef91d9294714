import { z } from "zod";
import { onRuntime } from "@/server/runtime/callRouting";
import type { StartedCall } from "@/server/pbx/pbx";
import { defineOperation } from "../operation";
import { dialTargetSchema, extensionSchema, phoneNumberInputSchema } from "../schemas/common";
import { callSchema, extensionCallSchema, startedCallSchema } from "../schemas/calls";

const startedCall = (call: StartedCall) => ({ call_id: call.callId, conversation_id: call.conversationId, status: call.status });

/** Flow variables handed to an IVR call: simple values under identifier-like names. */
export const flowVariablesSchema = z
  .record(
    z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, "Variable names are 1–64 lowercase letters, digits and _, not starting with a digit"),
    z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]),
  )
  .refine((variables) => Object.keys(variables).length <= 100, "At most 100 variables")
  .meta({ description: "Available to the flow's templates as top-level variables (`{{ customer_id }}`)" });

export const clickToCall = defineOperation({
  method: "POST",
  path: "/calls",
  operationId: "clickToCall",
  summary: "Click-to-call: ring an extension, then dial a number",
  description: "Rings `from_extension` first (auto-answered when `auto_answer`); once it answers, dials `to`. Ends after `timeout_s` if the extension does not answer.",
  tag: "Calls",
  scope: "calls:write",
  idempotent: true,
  status: 202,
  body: z.strictObject({
    from_extension: extensionSchema,
    to: dialTargetSchema,
    caller_id: phoneNumberInputSchema.optional().describe("Number presented to the called party; the extension's own by default"),
    auto_answer: z.boolean().optional(),
    timeout_s: z.number().int().min(5).max(300).optional().describe("How long the extension rings (default 30)"),
  }),
  response: startedCallSchema,
  errors: [404, 503],
  handler: async ({ body }) =>
    startedCall(
      await onRuntime("clickToCall", {
        fromExtension: body.from_extension,
        to: body.to,
        callerId: body.caller_id,
        autoAnswer: body.auto_answer,
        timeoutS: body.timeout_s,
      }),
    ),
});

export const startIvrCall = defineOperation({
  method: "POST",
  path: "/ivr-calls",
  operationId: "startIvrCall",
  summary: "Outbound IVR call: dial a number and run a flow when answered",
  tag: "Calls",
  scope: "calls:write",
  idempotent: true,
  status: 202,
  body: z.strictObject({
    to: dialTargetSchema,
    flow_id: z.string().min(1).max(100).describe("A flow with a published revision"),
    caller_id: phoneNumberInputSchema.optional(),
    variables: flowVariablesSchema.optional(),
  }),
  response: startedCallSchema,
  errors: [503],
  handler: async ({ body }) =>
    startedCall(await onRuntime("startIvrCall", { to: body.to, flowId: body.flow_id, callerId: body.caller_id, variables: body.variables })),
});

export const getCall = defineOperation({
  method: "GET",
  path: "/calls/{call_id}",
  operationId: "getCall",
  summary: "Get a call",
  description: "Calls in progress and ended ones (read back from their final CDR).",
  tag: "Calls",
  scope: "calls:read",
  params: z.object({ call_id: z.string().min(1).max(100) }),
  response: callSchema,
  errors: [404],
  handler: ({ params }) => onRuntime("getCall", { callId: params.call_id }),
});

export const listExtensionCalls = defineOperation({
  method: "GET",
  path: "/extensions/{ext}/calls",
  operationId: "listExtensionCalls",
  summary: "An extension's current calls",
  tag: "Calls",
  scope: "calls:read",
  params: z.object({ ext: extensionSchema }),
  response: z.object({ items: z.array(extensionCallSchema) }),
  errors: [404],
  handler: async ({ params }) => ({ items: await onRuntime("callsOfExtension", { extension: params.ext }) }),
});
