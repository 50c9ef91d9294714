import { z } from "zod";
import * as userService from "@/server/services/users";
import { defineOperation } from "../operation";
import { idPathSchema, listQuerySchema, listResponseSchema, paginate } from "../schemas/common";

export const userSchema = z
  .object({
    id: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string(),
    extension: z.string().nullable().describe("The user's primary (lowest-numbered) extension"),
    role: z.enum(["admin", "user"]),
    enabled: z.boolean(),
    agent_id: z.string().nullable().describe("Set when the user is a call-centre agent"),
  })
  .meta({ id: "User" });

function toApiUser(user: userService.UserView): z.input<typeof userSchema> {
  return {
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    extension: user.extension,
    role: user.role,
    enabled: user.enabled,
    agent_id: user.agentId,
  };
}

export const listUsers = defineOperation({
  method: "GET",
  path: "/users",
  operationId: "listUsers",
  summary: "List users",
  description: "`search` matches name, e-mail and extension.",
  tag: "Users",
  scope: "users:read",
  query: listQuerySchema,
  response: listResponseSchema(userSchema),
  handler: async ({ db, query }) => {
    const page = paginate(await userService.listUsers(db), query, (u) => `${u.firstName} ${u.lastName} ${u.email} ${u.extension ?? ""}`);
    return { items: page.items.map(toApiUser), total: page.total };
  },
});

export const getUser = defineOperation({
  method: "GET",
  path: "/users/{id}",
  operationId: "getUser",
  summary: "Get a user",
  tag: "Users",
  scope: "users:read",
  params: idPathSchema,
  response: userSchema,
  errors: [404],
  handler: async ({ db, params }) => toApiUser(await userService.getUser(db, params.id)),
});
