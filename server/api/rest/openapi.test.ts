import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allOperations, allRouteHandlers } from "./operations";
import { buildOpenApiDocument } from "./openapi";
import { isOperation } from "./operation";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const document = buildOpenApiDocument(allOperations()) as Json;

/** Resolves a local JSON pointer such as `#/components/schemas/Cdr`. */
function resolve(ref: string): unknown {
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Json)[key] : undefined), document);
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") found.push(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

describe("the generated OpenAPI document", () => {
  it("is OpenAPI 3.1 with security schemes, the problem schema and the three webhooks", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.components.securitySchemes)).toEqual(["basicAuth", "bearerAuth", "webhookSignature"]);
    expect(document.components.schemas.Problem.properties.errors).toBeDefined();
    expect(Object.keys(document.webhooks)).toEqual(["call.lookup", "call.incoming", "call.ended"]);
    expect(JSON.stringify(document.webhooks["call.ended"])).toContain("#/components/schemas/CallEndedWebhook");
    expect(document.components.schemas.Cdr.properties.legs.items.$ref).toBe("#/components/schemas/PartialCdr");
    // call.ended's data is the CDR plus the added (never renamed) contact the look-ups found.
    expect(document.components.schemas.CallEndedWebhook.properties.data.$ref).toBe("#/components/schemas/CallEndedData");
    expect(document.components.schemas.CallEndedData.required).toContain("contact");
    expect(document.components.schemas.CallEndedData.properties.cdr_id).toBeDefined();
  });

  it("declares how each webhook is authenticated and describes every tag", () => {
    for (const hook of Object.values(document.webhooks as Json)) expect(hook.post.security).toEqual([{ webhookSignature: [] }]);
    for (const tag of document.tags) expect(tag.description, tag.name).toBeTruthy();
  });

  it("publishes the flow editor's field metadata as standard keywords or x- extensions, never as unknown keywords", () => {
    const config = document.components.schemas.FlowDocument.properties.nodes.items.oneOf
      .map((node: Json) => node.properties.config)
      .find((schema: Json) => schema?.properties?.timeout_s && schema.properties.terminator);
    expect(config.properties.timeout_s).toMatchObject({ title: "Wait between digits", "x-unit": "s" });
    const text = JSON.stringify(document.components.schemas.FlowDocument);
    expect(text).not.toMatch(/"(widget|help|unit)":/);
    expect(text).not.toContain('"hu":'); // the label's and help's translations are the editor's
  });

  it("resolves every $ref", () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref.startsWith("#/"), ref).toBe(true);
      expect(resolve(ref), ref).toBeDefined();
    }
  });

  it("gives every operation an id, a tag, security, responses, and a parameter per path template", () => {
    const ids = new Set<string>();
    for (const [route, item] of Object.entries(document.paths as Json)) {
      const templated = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(item as Json)) {
        const where = `${method.toUpperCase()} ${route}`;
        expect(ids.has(operation.operationId), where).toBe(false);
        ids.add(operation.operationId);
        expect(operation.tags, where).toHaveLength(1);
        expect(operation.security.length, where).toBeGreaterThan(0);
        expect(Object.keys(operation.responses).some((status) => status.startsWith("2")), where).toBe(true);
        expect(operation.responses["401"], where).toBeDefined();
        const pathParams = operation.parameters.filter((p: Json) => p.in === "path").map((p: Json) => p.name).sort();
        expect(pathParams, where).toEqual(templated);
      }
    }
    expect(ids.size).toBe(allOperations().length);
  });

  it("documents the scope of each operation", () => {
    const tokenOperation = document.paths["/auth/token"].post;
    expect(tokenOperation.security).toEqual([{ basicAuth: [] }]);
    expect(document.paths["/users"].get.security).toEqual([{ basicAuth: ["users:read"] }, { bearerAuth: ["users:read"] }]);
  });
});

describe("route files", () => {
  const v1 = path.join(process.cwd(), "app/api/v1");
  const routeFiles = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? routeFiles(full) : entry.name === "route.ts" ? [full] : [];
    });
  const openApiPathOf = (file: string) =>
    "/" +
    path
      .relative(v1, path.dirname(file))
      .split(path.sep)
      .map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}"))
      .join("/");

  it("export exactly the registered operations, each at its documented path and method", async () => {
    const served = new Set<unknown>();
    for (const file of routeFiles(v1)) {
      const routePath = openApiPathOf(file);
      if (routePath === "/openapi.json" || routePath.includes("[")) continue; // the document itself, the catch-all
      const routeModule = (await import(file)) as Record<string, unknown>;
      for (const [method, handler] of Object.entries(routeModule)) {
        expect(isOperation(handler), `${file} exports ${method} that is not a defined operation`).toBe(true);
        if (!isOperation(handler)) continue;
        expect(`${handler.operation.method} ${handler.operation.path}`).toBe(`${method} ${routePath}`);
        served.add(handler);
      }
    }
    const unserved = allRouteHandlers().filter((handler) => !served.has(handler)).map((h) => `${h.operation.method} ${h.operation.path}`);
    expect(unserved, "operations without a route file").toEqual([]);
  });
});
