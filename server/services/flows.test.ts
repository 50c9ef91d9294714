import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/tests/helpers/db";
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
import { ServiceError } from "./errors";

let db: Db;
let cleanup: () => void;
beforeEach(() => ({ db, cleanup } = createTestDb()));
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

function errorOf(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error("expected a ServiceError");
}

describe("flows", () => {
  it("refuses a malformed document with a field path and stores nothing", () => {
    const bad = { ...dialFlow("101"), nodes: [{ id: "start", type: "teleport", position: { x: 0, y: 0 }, config: {} }] };
    const error = errorOf(() => createFlow(db, bad, null));
    expect(error.code).toBe("invalid");
    expect(error.options.field).toContain("nodes");
    expect(listFlows(db)).toHaveLength(0);
  });

  it("keeps a draft whose new node is not filled in yet, and refuses to publish it until it is", () => {
    createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    const flow = createFlow(db, dialFlow("101"), null);
    const incomplete = dialFlow("101");
    incomplete.nodes.push({ id: "menu", type: "menu", position: { x: 0, y: 200 }, config: { options: [] } as never });
    const saved = updateDraft(db, flow.id, incomplete, null);
    expect(getFlow(db, flow.id).draft.nodes.map((n) => n.id)).toContain("menu");
    expect(validateDocument(db, saved.draft, flow.id).errors.some((e) => e.node_id === "menu")).toBe(true);
    expect(errorOf(() => publishFlow(db, flow.id, null)).options.messageKey).toBe("errors.flowInvalid");
  });

  it("refuses a save over someone else's newer draft", () => {
    const flow = createFlow(db, dialFlow("101"), null);
    updateDraft(db, flow.id, dialFlow("102"), null, flow.draftVersion);
    const error = errorOf(() => updateDraft(db, flow.id, dialFlow("103"), null, flow.draftVersion));
    expect(error.code).toBe("precondition_failed");
    expect(getFlow(db, flow.id).draft.nodes[1]).toMatchObject({ config: { extension: "102" } });
  });

  it("refuses to publish a flow that references a missing extension, then publishes numbered revisions", () => {
    const flow = createFlow(db, dialFlow("101"), null);
    expect(validateDocument(db, flow.draft).errors.map((e) => e.node_id)).toContain("dial");
    expect(errorOf(() => publishFlow(db, flow.id, null)).options.messageKey).toBe("errors.flowInvalid");
    expect(loadPublishedDocument(db, flow.id)).toBeNull();

    createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    expect(publishFlow(db, flow.id, null).revision).toBe(1);
    createExtension(db, { number: "102", name: "Péter", ownerUserId: null });
    updateDraft(db, flow.id, dialFlow("102"), null);
    expect(publishFlow(db, flow.id, null).revision).toBe(2);

    // The draft can change freely; calls keep running the published revision.
    updateDraft(db, flow.id, dialFlow("999"), null);
    const published = loadPublishedDocument(db, flow.id)!;
    expect(published.revision).toBe(2);
    expect(published.nodes[1]).toMatchObject({ config: { extension: "102" } });
  });

  it("rolls back by publishing an old revision as a new one", () => {
    createExtension(db, { number: "101", name: "Anna", ownerUserId: null });
    createExtension(db, { number: "102", name: "Péter", ownerUserId: null });
    const flow = createFlow(db, dialFlow("101"), null);
    publishFlow(db, flow.id, null);
    updateDraft(db, flow.id, dialFlow("102"), null);
    publishFlow(db, flow.id, null);
    expect(rollbackFlow(db, flow.id, 1, null).revision).toBe(3);
    expect(loadPublishedDocument(db, flow.id)!.nodes[1]).toMatchObject({ config: { extension: "101" } });
    expect(listRevisions(db, flow.id).map((r) => r.revision)).toEqual([3, 2, 1]);
  });

  it("refuses to delete a flow that a phone number routes to", () => {
    const flow = createFlow(db, dialFlow("101"), null);
    const did = createPhoneNumber(db, { number: "+3612345678" });
    updatePhoneNumber(db, did.id, { number: did.number, flowId: flow.id });
    expect(errorOf(() => deleteFlow(db, flow.id)).code).toBe("conflict");
    updatePhoneNumber(db, did.id, { number: did.number, flowId: null });
    deleteFlow(db, flow.id);
    expect(listFlows(db)).toHaveLength(0);
  });
});
