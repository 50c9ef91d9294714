/**
 * The OpenAPI 3.1 document, generated from the operation definitions and
 * the webhook schemas with zod's own `z.toJSONSchema` (JSON Schema 2020-12 is
 * OpenAPI 3.1's dialect). Schemas with `.meta({ id })` become reusable
 * components; request and response shapes of one id that differ (strict
 * bodies, defaults) get an `…Input` twin.
 */
import { z } from "zod";
import { apiScopes } from "@/lib/scopes";
import type { OperationDefinition } from "./operation";
import { problemSchema } from "./schemas/common";
import { webhookDefinitions } from "./schemas/webhooks";

type Json = Record<string, unknown>;
type Io = "input" | "output";

/** Every tag an operation may carry, with the description tools show above its operations (in this order). */
export const apiTags = {
  Auth: "Bearer access tokens for technical users",
  Calls: "Click-to-call, outbound IVR calls and live call state",
  Users: "Portal users with their extensions and agent ids",
  Flows: "Call flows: drafts as flow documents, validation, published revisions",
  Numbers: "Phone numbers (DIDs) and the flow each one runs",
  Phonebook: "Contacts the flows and the portal look callers up in",
  Forwarding: "Per-extension call forwarding: unconditional, busy, no answer",
  "Call centre": "Agent states and the time agents spent in each",
  "Call history": "Final call detail records (CDRs)",
  "Outbound APIs": "Webhooks and lookups Switchboard sends to your systems, with their delivery log",
  Recordings: "Call recordings as audio",
  Simulator: "Simulated callers and phones, to try flows without a PBX",
} as const;
export type ApiTag = keyof typeof apiTags;

const COMMON_ERRORS = [400, 401, 403, 429, 500];
const BODY_ERRORS = [413, 415];

const errorDescriptions: Record<number, string> = {
  400: "Invalid input; `errors` names each offending field",
  401: "Missing or invalid credentials",
  403: "The technical user lacks the scope, or its IP allowlist refuses this address",
  404: "Not found",
  406: "None of the media types the resource comes in is acceptable",
  409: "Conflict with the current state",
  412: "If-Match does not match the current ETag",
  413: "Body larger than the limit (1 MB by default)",
  415: "Body is not application/json",
  416: "The requested byte range is outside the resource; `Content-Range` gives its size",
  422: "Idempotency-Key reused with a different request",
  428: "If-Match required",
  429: "Rate limit exceeded; wait `Retry-After` seconds",
  500: "Unexpected server error (logged)",
  503: "The telephony engine cannot take the request now",
};

/** Keywords of JSON Schema 2020-12 and OpenAPI 3.1's schema object (plus zod's `id`, which becomes a component name); anything else `.meta()` adds is not one. */
const SCHEMA_KEYWORDS = new Set([
  "id",
  "$ref", "$defs", "$id", "$anchor", "$comment", "type", "enum", "const", "format", "title", "description", "default", "examples", "deprecated",
  "readOnly", "writeOnly", "properties", "required", "additionalProperties", "patternProperties", "propertyNames", "minProperties", "maxProperties",
  "unevaluatedProperties", "dependentRequired", "dependentSchemas", "items", "prefixItems", "contains", "minContains", "maxContains", "minItems",
  "maxItems", "uniqueItems", "unevaluatedItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "minLength", "maxLength", "pattern",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "contentEncoding", "contentMediaType", "contentSchema",
  "discriminator", "xml", "externalDocs", "example",
]);

/**
 * Publishes `.meta()` the way OpenAPI tools accept it. The flow editor's field
 * metadata (flows/model/fields.ts) is for the inspector form: its English label
 * is already the `title`, the label's translations and the widget are dropped,
 * the English help becomes the `description`. Any other non-standard key
 * (e.g. `unit`) is kept as an `x-` extension instead of an unknown keyword.
 */
function publishMetadata({ jsonSchema }: { jsonSchema: Json }): void {
  const { label: _label, widget: _widget, help, ...rest } = jsonSchema;
  for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
  const englishHelp = (help as { en?: string } | undefined)?.en;
  if (englishHelp && rest.description === undefined) rest.description = englishHelp;
  for (const [key, value] of Object.entries(rest)) jsonSchema[SCHEMA_KEYWORDS.has(key) || key.startsWith("x-") ? key : `x-${key}`] = value;
}

/** Collects `$defs` of every conversion into `components.schemas`, rewriting refs. */
class SchemaComponents {
  readonly schemas: Record<string, Json> = {};

  convert(schema: z.ZodType, io: Io): Json {
    const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any", cycles: "ref", reused: "inline", override: publishMetadata }) as Json;
    const { $schema: _dialect, $defs, ...root } = generated;
    const defs = ($defs ?? {}) as Record<string, Json>;
    const names: Record<string, string> = {};
    for (const id of Object.keys(defs)) names[id] = id;
    // Name clashes (the same id converted for input and for output) are resolved after rewriting refs.
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (!value || typeof value !== "object") return value;
      const out: Json = {};
      for (const [key, inner] of Object.entries(value as Json)) {
        if (key === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")) out[key] = `#/components/schemas/${names[inner.slice(8)]}`;
        else if (io === "output" && key === "additionalProperties" && inner === false) continue; // responses may gain fields
        else out[key] = rewrite(inner);
      }
      return out;
    };
    // Renaming one def changes the refs of others, so repeat until nothing more clashes.
    for (let renamed = true; renamed; ) {
      renamed = false;
      for (const id of Object.keys(defs)) {
        const existing = this.schemas[names[id]];
        if (names[id] === id && existing && JSON.stringify(existing) !== JSON.stringify(rewrite(defs[id]))) {
          names[id] = `${id}${io === "input" ? "Input" : "Output"}`;
          renamed = true;
        }
      }
    }
    for (const [id, def] of Object.entries(defs)) this.schemas[names[id]] = rewrite(def) as Json;
    return rewrite(root) as Json;
  }
}

function problemResponses(statuses: number[]): Json {
  const responses: Json = {};
  for (const status of [...statuses].sort()) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  return responses;
}

function parametersOf(components: SchemaComponents, schema: z.ZodType | undefined, location: "path" | "query"): Json[] {
  if (!schema) return [];
  const json = components.convert(schema, "input");
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return { name, in: location, required: location === "path" || required.has(name), ...(description ? { description } : {}), schema: propertySchema };
  });
}

/** Every status an operation may answer: its success status and the errors the pipeline and handler can produce. */
export function documentedStatuses(operation: OperationDefinition): number[] {
  return [operation.status ?? 200, ...(operation.alsoReturns ?? []), ...errorStatusesOf(operation)];
}

function errorStatusesOf(operation: OperationDefinition): number[] {
  const bodyErrors = operation.method === "POST" || operation.method === "PUT" || operation.method === "PATCH" ? BODY_ERRORS : [];
  return [...new Set([...COMMON_ERRORS, ...bodyErrors, ...(operation.idempotent ? [409, 422] : []), ...(operation.errors ?? [])])];
}

function operationObject(components: SchemaComponents, operation: OperationDefinition): Json {
  const parameters = [...parametersOf(components, operation.params, "path"), ...parametersOf(components, operation.query, "query")];
  if (operation.idempotent) parameters.push({ $ref: "#/components/parameters/IdempotencyKey" });
  const errorStatuses = errorStatusesOf(operation);
  const status = operation.status ?? 200;
  const contentTypes = [operation.responseContentType ?? "application/json"].flat();
  const success: Json = { description: operation.responseDescription ?? "Success" };
  if (status !== 204) {
    success.content = Object.fromEntries(contentTypes.map((type) => [type, operation.response ? { schema: components.convert(operation.response, "output") } : {}]));
  }
  const scopes = operation.scope ? [operation.scope] : [];
  const schemes = operation.auth === "basic" ? ["basicAuth"] : ["basicAuth", "bearerAuth"];
  const object: Json = {
    operationId: operation.operationId,
    summary: operation.summary,
    description: [operation.description, operation.scope ? `Requires the \`${operation.scope}\` scope.` : null].filter(Boolean).join("\n\n"),
    tags: [operation.tag],
    security: schemes.map((scheme) => ({ [scheme]: scopes })),
    ...(operation.scope ? { "x-required-scope": operation.scope } : {}),
    parameters,
    responses: {
      [String(status)]: success,
      ...Object.fromEntries((operation.alsoReturns ?? []).map((other) => [String(other), success])),
      ...problemResponses(errorStatuses),
    },
  };
  const bodySchema = operation.bodyDocs ?? operation.body;
  if (bodySchema) {
    object.requestBody = {
      required: !(operation.body?.safeParse(undefined).success ?? false),
      content: { "application/json": { schema: components.convert(bodySchema, "input") } },
    };
  }
  return object;
}

export function buildOpenApiDocument(operations: readonly OperationDefinition[]): Json {
  const components = new SchemaComponents();
  const paths: Record<string, Json> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    paths[operation.path][operation.method.toLowerCase()] = operationObject(components, operation);
  }
  components.convert(problemSchema, "output");

  const webhooks: Record<string, Json> = {};
  const webhookSecurity = [{ webhookSignature: [] }];
  for (const hook of webhookDefinitions) {
    webhooks[hook.type] = {
      post: {
        operationId: `webhook_${hook.type.replace(/\W/g, "_")}`,
        summary: hook.summary,
        description: hook.description,
        security: webhookSecurity,
        parameters: ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => ({ $ref: `#/components/parameters/${name}` })),
        requestBody: { required: true, content: { "application/json": { schema: components.convert(hook.envelope, "output") } } },
        responses: {
          "2XX": hook.reply
            ? { description: hook.replyDescription, content: { "application/json": { schema: components.convert(hook.reply, "input") } } }
            : { description: "Received; any 2xx stops the retries" },
        },
      },
    };
  }

  const problemContent = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
  const responses: Record<string, Json> = {};
  const answered = new Set(operations.flatMap(errorStatusesOf));
  for (const status of Object.keys(errorDescriptions).map(Number).filter((status) => answered.has(status))) {
    const headers: Json = {};
    if (status === 401) headers["WWW-Authenticate"] = { schema: { type: "string" }, description: "Basic and Bearer challenges" };
    if (status === 429) headers["Retry-After"] = { schema: { type: "integer" }, description: "Seconds to wait" };
    responses[`Problem${status}`] = { description: errorDescriptions[status], content: problemContent, ...(Object.keys(headers).length ? { headers } : {}) };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Switchboard API",
      version: "1.0.0",
      description:
        "Public REST API of Switchboard. Authenticate as a technical user with HTTP Basic (`client_id:client_secret`) or a Bearer token from `POST /auth/token`. " +
        "Errors are RFC 9457 problem details. Scopes: " +
        apiScopes.map((scope) => `\`${scope}\``).join(", ") +
        ".",
    },
    servers: [{ url: "/api/v1" }],
    tags: Object.entries(apiTags).map(([name, description]) => ({ name, description })),
    paths,
    webhooks,
    components: {
      schemas: components.schemas,
      responses,
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Replays the first successful response for the same key and request within 24 h; a different request with the key is a 422.",
          schema: { type: "string", minLength: 1, maxLength: 255 },
        },
        "webhook-id": { name: "webhook-id", in: "header", required: true, description: "Stable across retries: the de-duplication key", schema: { type: "string" } },
        "webhook-timestamp": { name: "webhook-timestamp", in: "header", required: true, description: "Unix seconds", schema: { type: "string" } },
        "webhook-signature": {
          name: "webhook-signature",
          in: "header",
          required: true,
          description: "`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the `whsec_` secret (Standard Webhooks)",
          schema: { type: "string" },
        },
      },
      securitySchemes: {
        basicAuth: { type: "http", scheme: "basic", description: "client_id:client_secret of a technical user" },
        bearerAuth: { type: "http", scheme: "bearer", description: "Access token from POST /auth/token, valid 3600 s" },
        // OpenAPI has no HMAC scheme; as an API key in its header, generators and docs show that a webhook is signed and where.
        webhookSignature: {
          type: "apiKey",
          in: "header",
          name: "webhook-signature",
          description:
            "How your endpoint authenticates Switchboard's webhooks (Standard Webhooks): verify `webhook-signature` — HMAC-SHA256 of `webhook-id.webhook-timestamp.body` — with the outbound API's `signing_secret`, and refuse old timestamps.",
        },
      },
    },
  };
}
