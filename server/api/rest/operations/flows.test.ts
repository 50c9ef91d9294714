import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callApi, setupApiTest, type ApiTestContext } from "../testing/harness";
import { createFlow, deleteFlow, getFlow, listFlowRevisions, listFlows, publishFlow, replaceFlowDraft, validateFlow } from "./flows";
import { listNumbers, putNumber } from "./numbers";

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest({ demo: true });
});
afterEach(() => ctx.cleanup());

const minimalFlow = (name = "Goodbye") => ({
  schema_version: 1,
  name,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "bye", type: "hangup", position: { x: 200, y: 0 }, config: {} },
  ],
  edges: [{ id: "e1", source: "start", source_port: "next", target: "bye" }],
});

describe("flows", () => {
  it("creates, reads with an ETag, replaces the draft under If-Match, publishes and lists revisions", async () => {
    const created = await callApi(ctx, createFlow, { body: minimalFlow() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Goodbye", draft_version: 1, latest_revision: null, document: { nodes: [{ id: "start" }, { id: "bye" }] } });
    const id = created.body.id;

    const read = await callApi(ctx, getFlow, { params: { id } });
    expect(read.headers.get("etag")).toBe('"1"');
    const saved = await callApi(ctx, replaceFlowDraft, { params: { id }, body: minimalFlow("Renamed"), headers: { "if-match": '"1"' } });
    expect(saved.body).toMatchObject({ name: "Renamed", draft_version: 2 });
    const stale = await callApi(ctx, replaceFlowDraft, { params: { id }, body: minimalFlow("Lost update"), headers: { "if-match": '"1"' } });
    expect(stale.status).toBe(412);
    expect((await callApi(ctx, getFlow, { params: { id } })).body.name).toBe("Renamed");

    const published = await callApi(ctx, publishFlow, { params: { id } });
    expect(published.body).toEqual({ revision: 1, published_at: expect.any(String) });
    await callApi(ctx, publishFlow, { params: { id } });
    const revisions = await callApi(ctx, listFlowRevisions, { params: { id } });
    expect(revisions.body.items.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);

    const list = await callApi(ctx, listFlows, { query: { search: "renamed" } });
    expect(list.body).toMatchObject({ total: 1, items: [{ id, latest_revision: 2 }] });
  });

  it("refuses a malformed document with every problem and its path, and stores nothing", async () => {
    const before = (await callApi(ctx, listFlows)).body.total;
    const broken = { ...minimalFlow(), name: "", nodes: [{ id: "start", type: "teleport", position: { x: 0, y: 0 }, config: {} }], extra: true };
    const refused = await callApi(ctx, createFlow, { body: broken });
    expect(refused.status).toBe(400);
    const paths = refused.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(["name", "nodes.0.type", ""]);
    expect(refused.body.errors[1].message).toContain("teleport");
    expect(refused.body.errors[2].message).toContain("extra");
    expect((await callApi(ctx, listFlows)).body.total).toBe(before);
  });

  it("validates without saving: errors and warnings with node ids", async () => {
    const valid = await callApi(ctx, validateFlow, { body: minimalFlow() });
    expect(valid.body).toMatchObject({ valid: true, errors: [] });
    const dangling = { ...minimalFlow(), edges: [] };
    const result = await callApi(ctx, validateFlow, { body: dangling });
    expect(result.status).toBe(200);
    expect(result.body.valid).toBe(false);
    expect(result.body.errors[0]).toMatchObject({ node_id: "start", path: expect.any(String), message: expect.any(String), code: expect.any(String) });
  });

  it("will not publish an invalid draft, and will not delete a flow a number routes to", async () => {
    const id = (await callApi(ctx, createFlow, { body: { ...minimalFlow(), edges: [] } })).body.id;
    const publish = await callApi(ctx, publishFlow, { params: { id } });
    expect(publish.status).toBe(400);
    expect(publish.body.errors[0].path).toBeTruthy();

    const demoFlowId = (await callApi(ctx, listNumbers)).body.items[0].flow_id;
    expect((await callApi(ctx, deleteFlow, { params: { id: demoFlowId } })).status).toBe(409);
    expect((await callApi(ctx, deleteFlow, { params: { id } })).status).toBe(204);
    expect((await callApi(ctx, getFlow, { params: { id } })).status).toBe(404);
  });

  it("flows:read may read but not write", async () => {
    const reader = await ctx.technicalUser({ scopes: ["flows:read"] });
    expect((await callApi(ctx, listFlows, { auth: reader.auth })).status).toBe(200);
    expect((await callApi(ctx, createFlow, { auth: reader.auth, body: minimalFlow() })).status).toBe(403);
  });
});

describe("numbers", () => {
  it("creates a number given in national form (201), then updates it (200), returning E.164", async () => {
    const flowId = (await callApi(ctx, createFlow, { body: minimalFlow() })).body.id;
    const created = await callApi(ctx, putNumber, { params: { number: "06 1 999 8877" }, body: { flow_id: flowId, label: "Support line" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: "+3619998877", flow_id: flowId, label: "Support line" });
    const updated = await callApi(ctx, putNumber, { params: { number: "+3619998877" }, body: { flow_id: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ number: "+3619998877", flow_id: null, label: "" });
    expect((await callApi(ctx, listNumbers, { query: { search: "998" } })).body.total).toBe(1);
  });

  it("refuses invalid numbers, unknown flows and a body number that differs from the path", async () => {
    const invalid = await callApi(ctx, putNumber, { params: { number: "12" }, body: { flow_id: null } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].path).toBe("path.number");
    const unknownFlow = await callApi(ctx, putNumber, { params: { number: "+3619998877" }, body: { flow_id: "flw_nope" } });
    expect(unknownFlow.status).toBe(400);
    expect(unknownFlow.body.errors[0].path).toBe("flow_id");
    const mismatch = await callApi(ctx, putNumber, { params: { number: "+3619998877" }, body: { number: "+3612345678", flow_id: null } });
    expect(mismatch.status).toBe(400);
    expect((await callApi(ctx, listNumbers)).body.total).toBe(1);
  });
});
