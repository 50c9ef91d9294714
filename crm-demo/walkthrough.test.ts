import fs from "node:fs";
import path from "node:path";
import { eq, ne } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import ownerRouting from "@/flows/fixtures/crm-owner-routing.json";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { deliveries, integrationMessages, outboundApis, phoneNumbers } from "@/server/db/schema";
import { seedDemo } from "@/server/services/demo";
import { createFlow, publishFlow } from "@/server/services/flows";
import { Runtime } from "@/server/runtime/runtime";
import { attachToRuntime } from "@/server/integration";
import { createHarness, eventually, silentLogger, type Harness } from "@/server/integration/testing/harness";
import type { Cdr } from "@/server/pbx/cdr";
import { CrmDemo } from "./app";

/**
 * The README's walk-through as a test: the three outbound APIs point at the
 * reference CRM, a simulated customer calls the main number, the CRM's
 * look-up routes the call to the account owner, the card pops, and the call
 * record arrives — over real HTTP, verified signatures and all.
 */
let h: Harness;
let runtime: Runtime;
let crm: CrmDemo;
let crmUrl: string;
let lookupsInFlight: number;

beforeEach(async () => {
  h = await createHarness();
  const seeded = await seedDemo(h.db);
  fs.mkdirSync(path.join(h.dir, "recordings"), { recursive: true });
  const apis = {
    lookup: await h.createApi({ kind: "data_lookup", name: "Owner look-up", url: "http://127.0.0.1:1/lookup" }),
    popup: await h.createApi({ kind: "incoming_notification", name: "Customer card", url: "http://127.0.0.1:1/events" }),
    cdr: await h.createApi({ kind: "end_of_call", name: "Call records", url: "http://127.0.0.1:1/cdr" }),
  };
  crm = new CrmDemo({ secrets: Object.values(apis).map((api) => api.signingSecret), switchboardUrl: "http://127.0.0.1:9" });
  crmUrl = `http://127.0.0.1:${await crm.listen(0)}`;
  // The APIs were created before the CRM had a port: point them at it by hand.
  for (const [, api] of Object.entries(apis)) {
    const [{ config }] = await h.db.select({ config: outboundApis.config }).from(outboundApis).where(eq(outboundApis.id, api.id));
    await h.db.update(outboundApis).set({ config: { ...config, url: crmUrl + new URL(config.url as string).pathname } }).where(eq(outboundApis.id, api.id));
    await eventually(() => h.integration.catalog.get(api.id)?.config.url.startsWith(crmUrl), "the catalogue to reload");
  }
  const document = JSON.stringify(ownerRouting)
    .replaceAll('"crm-lookup"', JSON.stringify(apis.lookup.id))
    .replaceAll('"crm-popup"', JSON.stringify(apis.popup.id))
    .replaceAll('"crm-cdr"', JSON.stringify(apis.cdr.id))
    .replaceAll('"support"', JSON.stringify(seeded.queues[0]))
    // The fixture's voicemail box is not in the demo organisation; 101's is.
    .replaceAll('"mailbox_extension":"100"', '"mailbox_extension":"101"');
  const flow = await createFlow(h.db, JSON.parse(document), null);
  await publishFlow(h.db, flow.id, null);
  await h.db.update(phoneNumbers).set({ flowId: flow.id });
  // Built last, so the runtime's directory (a snapshot on PostgreSQL) already routes the number to the flow.
  runtime = new Runtime({ data: await h.runtimeStore(), recordingsDir: path.join(h.dir, "recordings"), logger: silentLogger, clock: h.clock });
  attachToRuntime(h.integration, runtime);
  lookupsInFlight = 0;
  const lookup = h.integration.port.lookup.bind(h.integration.port);
  h.integration.port.lookup = async (...args) => {
    lookupsInFlight++;
    try {
      return await lookup(...args);
    } finally {
      lookupsInFlight--;
    }
  };
});
afterEach(async () => {
  await runtime.close();
  await crm.close();
  await h.cleanup();
});

/**
 * The flow waits on real HTTP (the look-up) and on the manual clock (prompts, ringing); move both until `done`.
 * The clock stands still while a look-up is out, so a slow machine cannot run the look-up's budget out.
 */
async function until(done: () => boolean): Promise<void> {
  for (let advanced = 0; advanced < 200 && !done(); ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (lookupsInFlight > 0) continue;
    await h.clock.advanceAsync(200);
    advanced++;
  }
  expect(done()).toBe(true);
}

describe("walk-through: Switchboard and the reference CRM", () => {
  it("routes a known customer to the owner the CRM names, pops the card and delivers the call record", async () => {
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await until(() => runtime.pbx.callsOfExtension("102").length > 0);
    runtime.pbx.answerPhone("102");
    await h.clock.advanceAsync(20_000);
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    // On PostgreSQL the call's records and outbox rows are committed by the record writer's next flush, the look-up's log right after its answer.
    await h.durable();
    await h.integration.lookups.logged();

    while ((await h.integration.worker.runOnce()) > 0);
    const card = crm.events.find((event) => event.type === "call.incoming");
    // The fixture pops the card before asking the CRM, so the CRM finds the customer by number itself.
    expect(card?.data).toMatchObject({ call_id: callId, caller: { number: "+36301112233" }, node_id: "popup" });
    const lookups = await h.db
      .select({ status: deliveries.status })
      .from(deliveries)
      .innerJoin(integrationMessages, eq(integrationMessages.id, deliveries.messageId))
      .where(eq(integrationMessages.eventType, "call.lookup"));
    expect(lookups).toEqual([{ status: "succeeded" }]);
    const final = crm.cdrs().map((event) => event.data as unknown as Cdr).find((cdr) => cdr.is_final);
    expect(final).toMatchObject({ call_id: callId, disposition: "answered", answered_by: { extension: "102" } });
    expect(final?.recordings[0].url).toMatch(/^\/api\/v1\/recordings\/[A-Za-z0-9_-]{24}\?token=/);
    expect(await h.db.select({ id: deliveries.id }).from(deliveries).where(ne(deliveries.status, "succeeded"))).toEqual([]);
  });
});
