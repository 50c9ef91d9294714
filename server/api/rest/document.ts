import { allOperations } from "./operations";
import { buildOpenApiDocument } from "./openapi";

let cached: string | undefined;

/** The OpenAPI document as served: built once per process from the operation registry. */
export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument(allOperations()));
  return cached;
}

/** `GET /api/v1/openapi.json` — public, so tools and the docs page can read it without credentials. */
export function openApiReply(): { status: 200; body: string; headers: Record<string, string> } {
  return { status: 200, body: openApiJson(), headers: { "content-type": "application/json", "cache-control": "no-cache" } };
}

export function GET(): Response {
  const { body, headers } = openApiReply();
  return new Response(body, { headers });
}
