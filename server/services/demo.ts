import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { agents, extensions, phoneNumbers, queueMembers, queues, users } from "../db/schema";
import { newId } from "@/lib/ids";
import { getSetting, setSetting } from "./settings";
import { createFlow, publishFlow } from "./flows";
import { createContact } from "./phonebook";
import receptionFlow from "@/flows/fixtures/business-hours-menu.json";

const demoPeople = [
  { ext: "101", first: "Anna", last: "Kovács", email: "anna.kovacs@demo.example", agent: false },
  { ext: "102", first: "Péter", last: "Nagy", email: "peter.nagy@demo.example", agent: true },
  { ext: "103", first: "Eszter", last: "Szabó", email: "eszter.szabo@demo.example", agent: true },
  { ext: "104", first: "Gábor", last: "Tóth", email: "gabor.toth@demo.example", agent: true },
  { ext: "105", first: "Judit", last: "Horváth", email: "judit.horvath@demo.example", agent: false },
];

const demoContacts = [
  { first: "László", last: "Varga", company: "Varga és Társa Bt.", email: "laszlo@varga.example", numbers: [{ type: "work", number: "+3613456789" }, { type: "mobile", number: "+36301112233" }] },
  { first: "Katalin", last: "Molnár", company: "Molnár Logisztika Kft.", email: "katalin@molnar.example", numbers: [{ type: "mobile", number: "+36209876543" }] },
  { first: "Zoltán", last: "Farkas", company: "Farkas Autó", email: "", numbers: [{ type: "work", number: "+3662123456" }] },
  { first: "Erika", last: "Balogh", company: "", email: "erika.balogh@mail.example", numbers: [{ type: "home", number: "+3614445566" }] },
] as const;

export interface DemoSeedResult {
  seeded: boolean;
  users: number;
  extensions: string[];
  phoneNumbers: string[];
  queues: string[];
  contacts: number;
  flows: string[];
}

/**
 * The demo organisation. Idempotent: running it twice adds nothing the second
 * time. Demo users get no password — nobody can sign in as them until an admin
 * sets one (there is no default password anywhere).
 */
export function seedDemo(db: Db): DemoSeedResult {
  if (getSetting(db, "demo_seeded_at")) {
    return { seeded: false, users: 0, extensions: [], phoneNumbers: [], queues: [], contacts: 0, flows: [] };
  }
  const result: DemoSeedResult = { seeded: true, users: 0, extensions: [], phoneNumbers: [], queues: [], contacts: 0, flows: [] };
  db.transaction((tx) => {
    const agentIds: string[] = [];
    for (const person of demoPeople) {
      const existing = tx.select({ id: users.id }).from(users).where(eq(users.email, person.email)).get();
      const userId = existing?.id ?? newId("user");
      if (!existing) {
        tx.insert(users).values({ id: userId, email: person.email, firstName: person.first, lastName: person.last, role: "user" }).run();
        result.users++;
      }
      if (!tx.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, person.ext)).get()) {
        tx.insert(extensions).values({ id: newId("extension"), number: person.ext, name: `${person.first} ${person.last}`, ownerUserId: userId }).run();
        result.extensions.push(person.ext);
      }
      if (person.agent) {
        const agent = tx.select({ id: agents.id }).from(agents).where(eq(agents.userId, userId)).get();
        const agentId = agent?.id ?? newId("agent");
        if (!agent) tx.insert(agents).values({ id: agentId, userId }).run();
        agentIds.push(agentId);
      }
    }
    const queueId = newId("queue");
    tx.insert(queues).values({ id: queueId, name: "Ügyfélszolgálat", strategy: "longest_idle", maxWaitS: 120, wrapUpS: 15 }).run();
    for (const agentId of agentIds) tx.insert(queueMembers).values({ queueId, agentId }).run();
    result.queues.push(queueId);

    // The reception flow (business hours → menu → sales ring group / support queue), published and answering the main number.
    const flow = createFlow(tx as unknown as Db, demoReceptionFlow(queueId), null);
    publishFlow(tx as unknown as Db, flow.id, null);
    result.flows.push(flow.id);
    const did = "+3612345678";
    if (!tx.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.number, did)).get()) {
      tx.insert(phoneNumbers).values({ id: newId("phoneNumber"), number: did, label: "Fővonal / Main line", flowId: flow.id }).run();
      result.phoneNumbers.push(did);
    }
    for (const contact of demoContacts) {
      createContact(tx as unknown as Db, {
        first_name: contact.first,
        last_name: contact.last,
        company: contact.company,
        email: contact.email,
        numbers: contact.numbers.map((n) => ({ type: n.type, number: n.number })),
      });
      result.contacts++;
    }
    setSetting(tx as unknown as Db, "demo_seeded_at", new Date().toISOString());
  });
  return result;
}

function demoReceptionFlow(queueId: string) {
  return {
    ...receptionFlow,
    nodes: receptionFlow.nodes.map((node) => (node.type === "queue" ? { ...node, config: { ...node.config, queue_id: queueId } } : node)),
  };
}
