import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/tests/helpers/db";
import { serviceError } from "@/tests/helpers/errors";
import type { Db } from "../db/client";
import { createExtension } from "./extensions";
import { createPhoneNumber, updatePhoneNumber } from "./phoneNumbers";
import {
  createFlow,
  deleteFlow,
  getFlow,
  listFlows,
  listRevisions,
  loadPublishedDocument,
  publishFlow,
  rollbackFlow,
  updateDraft,
  validateDocument,
} from "./flows";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

function dialFlow(extension: string, name = "Reception") {
  return {
    schema_version: 1,
    name,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "dial", type: "dial_extension", position: { x: 200, y: 0 }, config: { extension, ring_timeout_s: 20 } },
      { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
    ],
    edges: [
      { id: "e1", source: "start", source_port: "next", target: "dial" },
      { id: "e2", source: "dial", source_port: "no_answer", target: "bye" },
      { id: "e3", source: "dial", source_port: "busy", target: "bye" },
      { id: "e4", source: "dial", source_port: "failed", target: "bye" },
    ],
  };
}

describe("flows", () => {
  it("refuses a malformed document with a field path and stores nothing", async () => {
    const bad = { ...dialFlow("101"), nodes: [{ id: "start", type: "teleport", position: { x: 0, y: 0 }, config: {} }] };
    const error = await serviceError(() => createFlow(db, bad, null));
    expect(error.code).toBe("invalid");
    expect(error.options.field).toContain("nodes");
    expect(await listFlows(db)).toHaveLength(0);
  });

  it("keeps a draft whose new node is not filled in yet, and refuses to publish it until it is", async () => {
    await createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    const flow = await createFlow(db, dialFlow("101"), null);
    const incomplete = dialFlow("101");
    incomplete.nodes.push({ id: "menu", type: "menu", position: { x: 0, y: 200 }, config: { options: [] } as never });
    const saved = await updateDraft(db, flow.id, incomplete, null);
    expect((await getFlow(db, flow.id)).draft.nodes.map((n) => n.id)).toContain("menu");
    expect((await validateDocument(db, saved.draft, flow.id)).errors.some((e) => e.node_id === "menu")).toBe(true);
    expect((await serviceError(() => publishFlow(db, flow.id, null))).options.messageKey).toBe("errors.flowInvalid");
  });

  it("refuses a save over someone else's newer draft", async () => {
    const flow = await createFlow(db, dialFlow("101"), null);
    await updateDraft(db, flow.id, dialFlow("102"), null, flow.draftVersion);
    const error = await serviceError(() => updateDraft(db, flow.id, dialFlow("103"), null, flow.draftVersion));
    expect(error.code).toBe("precondition_failed");
    expect((await getFlow(db, flow.id)).draft.nodes[1]).toMatchObject({ config: { extension: "102" } });
  });

  it("refuses to publish a flow that references a missing extension, then publishes numbered revisions", async () => {
    const flow = await createFlow(db, dialFlow("101"), null);
    expect((await validateDocument(db, flow.draft)).errors.map((e) => e.node_id)).toContain("dial");
    expect((await serviceError(() => publishFlow(db, flow.id, null))).options.messageKey).toBe("errors.flowInvalid");
    expect(await loadPublishedDocument(db, flow.id)).toBeNull();

    await createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    expect((await publishFlow(db, flow.id, null)).revision).toBe(1);
    await createExtension(db, { number: "102", name: "Péter", ownerUserId: null });
    await updateDraft(db, flow.id, dialFlow("102"), null);
    expect((await publishFlow(db, flow.id, null)).revision).toBe(2);

    // The draft can change freely; calls keep running the published revision.
    await updateDraft(db, flow.id, dialFlow("999"), null);
    const published = (await loadPublishedDocument(db, flow.id))!;
    expect(published.revision).toBe(2);
    expect(published.nodes[1]).toMatchObject({ config: { extension: "102" } });
  });

  it("rolls back by publishing an old revision as a new one", async () => {
    await createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    await createExtension(db, { number: "102", name: "Péter", ownerUserId: null });
    const flow = await createFlow(db, dialFlow("101"), null);
    await publishFlow(db, flow.id, null);
    await updateDraft(db, flow.id, dialFlow("102"), null);
    await publishFlow(db, flow.id, null);
    expect((await rollbackFlow(db, flow.id, 1, null)).revision).toBe(3);
    expect((await loadPublishedDocument(db, flow.id))!.nodes[1]).toMatchObject({ config: { extension: "101" } });
    expect((await listRevisions(db, flow.id)).map((r) => r.revision)).toEqual([3, 2, 1]);
  });

  it("refuses to delete a flow that a phone number routes to", async () => {
    const flow = await createFlow(db, dialFlow("101"), null);
    const did = await createPhoneNumber(db, { number: "+3612345678" });
    await updatePhoneNumber(db, did.id, { number: did.number, flowId: flow.id });
    expect((await serviceError(() => deleteFlow(db, flow.id))).code).toBe("conflict");
    await updatePhoneNumber(db, did.id, { number: did.number, flowId: null });
    await deleteFlow(db, flow.id);
    expect(await listFlows(db)).toHaveLength(0);
  });
});
