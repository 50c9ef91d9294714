/**
 * What both soaks share (`npm run soak`, one process on SQLite; `npm run soak -- --cluster`, several
 * processes on PostgreSQL): the configuration they start from, the API client the load uses, and one step
 * of the mixed load.
 */
import type { Db } from "@/server/db/client";
import type { CrmMode, FaultyCrm } from "./faultyCrm";
import { seedDemo } from "@/server/services/demo";
import { createTechnicalUser } from "@/server/services/technicalUsers";
import { createOutboundApi } from "@/server/services/outboundApis";
import { createFlow, publishFlow } from "@/server/services/flows";
import { listQueues } from "@/server/services/queues";
import { phoneNumbers } from "@/server/db/schema";

export const LOOKUP_TIMEOUT_MS = 1_500;
/**
 * Retries that outlast the longest CRM outage below even with 0.5× jitter (~190 s of schedule against 60 s down
 * in the 5-minute run): a CDR only counts as lost when the schedule still had time. An outage longer than an
 * endpoint's retry schedule leaves deliveries `dead` — visible and resendable in the delivery log, by design.
 */
const fast = { count: 15, intervals_s: [1, 2, 3, 5, 5, 10, 10, 15, 15, 20, 20, 20, 20, 20, 20] };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function soakFlow(queueId: string, lookupApiId: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number, y = 0) => ({ id, type, position: { x, y }, config });
  const edge = (source: string, port: string, target: string) => ({ id: `${source}-${port}`, source, source_port: port, target });
  return {
    schema_version: 1,
    name: "Soak: CRM owner routing",
    nodes: [
      node("start", "start", {}, 0),
      node("lookup", "data_lookup", { outbound_api_id: lookupApiId }, 200),
      node("owner", "dial_extension", { extension: "{{ lookup.extension }}", ring_timeout_s: 10 }, 400, -100),
      node("menu", "menu", { prompt: "Sales 1", options: ["1"], timeout_s: 3, max_retries: 0 }, 400, 100),
      node("support", "queue", { queue_id: queueId, max_wait_s: 15 }, 600),
      node("reception", "dial_extension", { extension: "101", ring_timeout_s: 10 }, 800),
      node("bye", "hangup", {}, 1000),
    ],
    edges: [
      edge("start", "next", "lookup"),
      edge("lookup", "found", "owner"),
      edge("lookup", "not_found", "menu"),
      edge("lookup", "error", "menu"),
      ...["no_answer", "busy", "failed"].map((p) => edge("owner", p, "support")),
      edge("menu", "1", "support"),
      edge("menu", "timeout", "reception"),
      edge("menu", "invalid", "bye"),
      edge("support", "timeout", "reception"),
      edge("support", "no_agents", "reception"),
      ...["no_answer", "busy", "failed"].map((p) => edge("reception", p, "bye")),
    ],
  };
}

/**
 * Everything configured straight in the database before the first start, as an admin would through the portal
 * (SQLite or PostgreSQL: the services are the same; the CRM secrets are sealed with this process's app secret).
 */
export async function prepareSoak(db: Db, crmUrl: string) {
  await seedDemo(db);
  const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: "Soak CRM" });
  const lookup = await createOutboundApi(db, { kind: "data_lookup", name: "Look-up", url: `${crmUrl}/lookup`, timeout_ms: LOOKUP_TIMEOUT_MS });
  const incoming = await createOutboundApi(db, { kind: "incoming_notification", name: "Card", url: `${crmUrl}/incoming`, apply_to: "all_calls", timeout_ms: 2_000, retry: fast });
  const cdr = await createOutboundApi(db, { kind: "end_of_call", name: "CDR", url: `${crmUrl}/cdr`, apply_to: "all_calls", timeout_ms: 2_000, retry: fast });
  const queue = (await listQueues(db))[0];
  const flow = await createFlow(db, soakFlow(queue.id, lookup.outboundApi.id), null);
  await publishFlow(db, flow.id, null);
  await db.update(phoneNumbers).set({ flowId: flow.id });
  return {
    auth: `Basic ${Buffer.from(`${technicalUser.clientId}:${clientSecret}`).toString("base64")}`,
    secrets: { "/lookup": lookup.signingSecret, "/incoming": incoming.signingSecret, "/cdr": cdr.signingSecret },
    endOfCallApiId: cdr.outboundApi.id,
    lookupApiId: lookup.outboundApi.id,
  };
}


export type SoakCounters = { inbound: number; clickToCall: number; phonebook: number; agentChanges: number; apiErrors: number; rateLimited: number; kills: number };
export const newSoakCounters = (): SoakCounters => ({ inbound: 0, clickToCall: 0, phonebook: 0, agentChanges: 0, apiErrors: 0, rateLimited: 0, kills: 0 });
export type SoakApi = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A well-behaved API client of whichever process `baseUrl()` names now: on 429 it waits as long as Retry-After says and tries again. */
export function soakApi(baseUrl: () => string, auth: string, counters: SoakCounters): SoakApi {
  return async (method, route, body, headers = {}) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${baseUrl()}/api/v1${route}`, {
        method,
        headers: { authorization: auth, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status === 429 && attempt < 20) {
        counters.rateLimited++;
        await sleep(Number(response.headers.get("retry-after") ?? 1) * 1000);
        continue;
      }
      return { status: response.status, json: text ? JSON.parse(text) : null, headers: response.headers };
    }
  };
}

const tolerate = (promise: Promise<unknown>) => promise.catch(() => undefined);

export const setSoakPhones = (api: SoakApi) =>
  Promise.all(["101", "102", "103", "104", "105"].map((ext) => tolerate(api("PUT", `/simulator/phones/${ext}`, { behavior: "answer", answer_after_s: 2 }))));

/**
 * One step of the mixed load: an inbound call through the flow (a key pressed, hung up after 4–12 s), every 10th
 * step a click-to-call, every 7th a phonebook edit, every 5th agents changing state. Placed call ids go to `placed`.
 */
export async function soakStep(api: SoakApi, iteration: number, placed: Set<string>, counters: SoakCounters): Promise<void> {
  const caller = `+3630${String(1_000_000 + iteration).slice(-7)}`;
  const call = await api("POST", "/simulator/calls", { from: caller, to: "+3612345678" });
  if (call.status === 200 || call.status === 201 || call.status === 202) {
    const callId = call.json.call_id as string;
    placed.add(callId);
    counters.inbound++;
    setTimeout(() => void tolerate(api("POST", `/simulator/calls/${callId}/dtmf`, { digits: "1" })), 2_500);
    setTimeout(() => void tolerate(api("POST", `/simulator/calls/${callId}/hangup`)), 4_000 + (iteration % 9) * 1_000);
  } else counters.apiErrors++;
  if (iteration % 10 === 0) {
    const c2c = await api("POST", "/calls", { from_extension: "105", to: "+36209876543", auto_answer: true });
    if (c2c.status === 202) {
      placed.add(c2c.json.call_id);
      counters.clickToCall++;
      setTimeout(() => void tolerate(api("POST", `/simulator/calls/${c2c.json.call_id}/hangup`)), 6_000);
    }
  }
  if (iteration % 7 === 0) {
    const contact = await api("POST", "/phonebook/contacts", { first_name: "Soak", last_name: String(iteration), company: "", email: "", notes: "", numbers: [{ type: "mobile", number: `+3670${String(1_000_000 + iteration).slice(-7)}` }] });
    if (contact.status === 201 || contact.status === 200) {
      const etag = contact.headers.get("etag") ?? "";
      await api("PUT", `/phonebook/contacts/${contact.json.id}`, { ...contact.json, id: undefined, notes: "edited" }, { "if-match": etag });
      counters.phonebook++;
    }
  }
  if (iteration % 5 === 0) {
    const agents = await api("GET", "/agents/status");
    for (const agent of (agents.json?.items ?? []) as { agent_id: string; status: string }[]) {
      const next = agent.status === "logged_out" || agent.status === "paused" ? "available" : iteration % 15 === 0 ? "paused" : null;
      if (!next) continue;
      const changed = await api("PUT", `/simulator/agents/${agent.agent_id}`, next === "paused" ? { status: next, pause_reason: "lunch" } : { status: next });
      if (changed.status === 200) counters.agentChanges++;
    }
  }
}

/** One step of a soak's fault schedule, at a fraction of the run: the CRM changes its behaviour, or a process is killed. */
export interface SoakFault {
  at: number;
  mode?: CrmMode;
  kill?: () => Promise<void>;
}

/**
 * The soak's run, shared by the single-process and the cluster soak: the mixed load every 150 ms for `durationMs`,
 * each fault applied when its time comes (a kill counted), `onStep` told how far the run is; then the CRM recovers,
 * the callers get time to finish, and every call still up is hung up (the replies are returned for the findings).
 */
export async function runSoakLoad(options: {
  durationMs: number;
  crm: FaultyCrm;
  api: SoakApi;
  faults: SoakFault[];
  placed: Set<string>;
  counters: SoakCounters;
  onStep?: (fractionDone: number) => void;
}): Promise<Record<string, number>> {
  const { durationMs, crm, api, placed, counters } = options;
  const started = Date.now();
  const pending = [...options.faults];
  let iteration = 0;
  while (Date.now() - started < durationMs) {
    const fractionDone = (Date.now() - started) / durationMs;
    for (const fault of pending.filter((f) => f.at <= fractionDone)) {
      pending.splice(pending.indexOf(fault), 1);
      if (fault.mode) await crm.setMode(fault.mode);
      if (fault.kill) {
        await fault.kill();
        counters.kills++;
      }
    }
    options.onStep?.(fractionDone);
    iteration++;
    try {
      await soakStep(api, iteration, placed, counters);
    } catch {
      counters.apiErrors++; // a process is being killed or restarted
    }
    await sleep(150);
  }
  // Let every caller finish, then let the CRM catch up.
  await crm.setMode("ok");
  await sleep(16_000);
  return hangUpAll(api, placed);
}

/**
 * Waits (up to 3 minutes) until no delivery is pending or in flight. A hung-up call's final CDR (and its deliveries) is
 * written a moment after the API answers: the outbox only counts as drained when it has stayed empty for a few seconds.
 */
export async function untilOutboxDrained(outstanding: () => number | Promise<number>): Promise<void> {
  const deadline = Date.now() + 180_000;
  let emptyChecks = 0;
  while (emptyChecks < 3 && Date.now() < deadline) {
    await sleep(1_000);
    emptyChecks = (await outstanding()) === 0 ? emptyChecks + 1 : 0;
  }
}

/** At the end: every call still up is hung up (204) or already over (404); anything else is a finding. */
export async function hangUpAll(api: SoakApi, placed: Set<string>): Promise<Record<string, number>> {
  const replies: Record<string, number> = {};
  for (const callId of placed) {
    const reply = await api("POST", `/simulator/calls/${callId}/hangup`).catch(() => null);
    const status = String(reply?.status ?? "no answer");
    replies[status] = (replies[status] ?? 0) + 1;
  }
  return replies;
}

/** What the database says after the run, for `callAndDeliveryFindings`. */
export interface SoakRecords {
  /** Conversations whose CDRs do not include exactly one final one. */
  conversationsWithoutOneFinal: number;
  finalCallIds: Set<string>;
  /** The end-of-call API's messages (`webhook-id`s) in the outbox. */
  endOfCallWebhookIds: string[];
  cdrsWritten: number;
  deliveriesOutstanding: number;
}

/**
 * The checks both soaks make on calls and CDR deliveries: every call one final CDR, every CDR at the CRM
 * exactly once after de-duplication (one webhook-id per CDR), nothing left in flight, every hang-up answered 204/404.
 */
export function callAndDeliveryFindings(records: SoakRecords, placed: Set<string>, crm: FaultyCrm, hangupReplies: Record<string, number>) {
  const failures: string[] = [];
  if (records.conversationsWithoutOneFinal > 0) failures.push(`${records.conversationsWithoutOneFinal} conversations without exactly one final CDR`);
  const missingFinal = [...placed].filter((id) => !records.finalCallIds.has(id));
  if (missingFinal.length > 0) failures.push(`${missingFinal.length} placed calls have no final CDR`);
  const deliveredIds = new Set(crm.received.filter((r) => r.type === "call.ended").map((r) => r.webhookId));
  const undelivered = records.endOfCallWebhookIds.filter((id) => !deliveredIds.has(id));
  if (undelivered.length > 0) failures.push(`${undelivered.length} end-of-call messages never reached the CRM`);
  const idsPerCdr = new Map<string, Set<string>>();
  for (const r of crm.received.filter((x) => x.type === "call.ended" && x.cdrId)) idsPerCdr.set(r.cdrId!, (idsPerCdr.get(r.cdrId!) ?? new Set()).add(r.webhookId));
  const duplicatedCdrs = [...idsPerCdr.values()].filter((ids) => ids.size > 1).length;
  if (duplicatedCdrs > 0) failures.push(`${duplicatedCdrs} CDRs arrived under more than one webhook-id (de-duplication would not work)`);
  if (idsPerCdr.size < records.cdrsWritten) failures.push(`${records.cdrsWritten - idsPerCdr.size} CDRs were written but never delivered`);
  if (records.deliveriesOutstanding > 0) failures.push(`${records.deliveriesOutstanding} deliveries still pending or in flight`);
  const unexpectedHangups = Object.entries(hangupReplies).filter(([status]) => status !== "204" && status !== "404");
  if (unexpectedHangups.length > 0) failures.push(`final hang-ups answered ${JSON.stringify(Object.fromEntries(unexpectedHangups))}`);
  if (crm.badSignatures > 0) failures.push(`${crm.badSignatures} deliveries failed signature verification`);
  return { failures, cdrsDelivered: idsPerCdr.size };
}
