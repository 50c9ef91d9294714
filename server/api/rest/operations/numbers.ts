import { z } from "zod";
import * as numberService from "@/server/services/phoneNumbers";
import { defineOperation, reply } from "../operation";
import { ApiProblem } from "../problem";
import { e164Schema, listQuerySchema, listResponseSchema, paginate, phoneNumberInputSchema } from "../schemas/common";

const phoneNumberSchema = z
  .object({
    number: e164Schema,
    flow_id: z.string().nullable().describe("Incoming calls run this flow's latest published revision"),
    label: z.string(),
    id: z.string(),
    flow_name: z.string().nullable(),
  })
  .meta({ id: "PhoneNumber", description: "A DID: an external number whose incoming calls enter a flow" });

const toApiNumber = (view: numberService.PhoneNumberView): z.input<typeof phoneNumberSchema> => ({
  number: view.number,
  flow_id: view.flowId,
  label: view.label,
  id: view.id,
  flow_name: view.flowName,
});

export const listNumbers = defineOperation({
  method: "GET",
  path: "/numbers",
  operationId: "listNumbers",
  summary: "List phone numbers (DIDs)",
  tag: "Numbers",
  scope: "flows:read",
  query: listQuerySchema,
  response: listResponseSchema(phoneNumberSchema),
  handler: async ({ db, query }) => {
    const page = paginate(await numberService.listPhoneNumbers(db), query, (n) => `${n.number} ${n.label} ${n.flowName ?? ""}`);
    return { items: page.items.map(toApiNumber), total: page.total };
  },
});

export const putNumber = defineOperation({
  method: "PUT",
  path: "/numbers/{number}",
  operationId: "putNumber",
  summary: "Create or update a phone number and the flow it runs",
  description: "The path number may be in E.164 or national form. 201 when the number was new, 200 when it was updated.",
  tag: "Numbers",
  scope: "flows:write",
  params: z.object({ number: phoneNumberInputSchema }),
  body: z.strictObject({
    number: phoneNumberInputSchema.optional().describe("Optional; must be the path's number"),
    flow_id: z.string().min(1).max(100).nullable().describe("Null: calls to the number are rejected"),
    label: z.string().trim().max(80).default(""),
  }),
  response: phoneNumberSchema,
  alsoReturns: [201],
  errors: [409],
  handler: async ({ db, params, body }) => {
    if (body.number !== undefined && body.number !== params.number) {
      throw new ApiProblem(400, "The body's number differs from the path's", {
        errors: [{ path: "number", code: "mismatch", message: `Must be ${params.number}, the number in the path` }],
      });
    }
    const input = { number: params.number, label: body.label, flowId: body.flow_id };
    const existing = (await numberService.listPhoneNumbers(db)).find((n) => n.number === params.number);
    if (existing) return toApiNumber(await numberService.updatePhoneNumber(db, existing.id, input));
    return reply(toApiNumber(await numberService.createPhoneNumber(db, input)), { status: 201 });
  },
});
