import { z } from "zod";
import { defineOperation } from "../operation";
import { issueAccessToken } from "../tokens";

const tokenRequestSchema = z.strictObject({
  grant_type: z.literal("client_credentials", { error: 'grant_type must be "client_credentials"' }),
});

const tokenResponseSchema = z
  .object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int().describe("Seconds") })
  .meta({ id: "AccessToken" });

export const issueToken = defineOperation({
  method: "POST",
  path: "/auth/token",
  operationId: "issueToken",
  summary: "Exchange client credentials for a Bearer access token",
  description: "Authenticate with HTTP Basic (`client_id:client_secret`). The token is valid for 3600 s and stops working at once when the technical user is revoked.",
  tag: "Auth",
  scope: null,
  auth: "basic",
  body: tokenRequestSchema,
  response: tokenResponseSchema,
  handler: ({ principal }) => {
    const { token, expiresIn } = issueAccessToken(principal.technicalUserId);
    return { access_token: token, token_type: "Bearer" as const, expires_in: expiresIn };
  },
});
