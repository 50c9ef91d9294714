import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { agents, extensions, phoneNumbers, queueMembers, queues, users } from "../db/schema";
import { newId } from "@/lib/ids";
import type { Locale } from "@/lib/schemas/directory";
import { getDefaultLocale, getSetting, setSetting } from "./settings";
import { createFlow, publishFlow } from "./flows";
import { createContact } from "./phonebook";
import receptionFlow from "@/flows/fixtures/business-hours-menu.json";
import { businessHoursMenu } from "@/lib/flowTemplates/businessHoursMenu";

const demoPeople = [
  { ext: "101", first: "Anna", last: "Kovács", email: "anna.kovacs@demo.example", agent: false },
  { ext: "102", first: "Péter", last: "Nagy", email: "peter.nagy@demo.example", agent: true },
  { ext: "103", first: "Eszter", last: "Szabó", email: "eszter.szabo@demo.example", agent: true },
  { ext: "104", first: "Gábor", last: "Tóth", email: "gabor.toth@demo.example", agent: true },
  { ext: "105", first: "Judit", last: "Horváth", email: "judit.horvath@demo.example", agent: false },
];

const demoContacts = [
  { first: "László", last: "Varga", company: { en: "Varga & Partners", hu: "Varga és Társa Bt." }, email: "laszlo@varga.example", numbers: [{ type: "work", number: "+3613456789" }, { type: "mobile", number: "+36301112233" }] },
  { first: "Katalin", last: "Molnár", company: { en: "Molnár Logistics Ltd.", hu: "Molnár Logisztika Kft." }, email: "katalin@molnar.example", numbers: [{ type: "mobile", number: "+36209876543" }] },
  { first: "Zoltán", last: "Farkas", company: { en: "Farkas Cars", hu: "Farkas Autó" }, email: "", numbers: [{ type: "work", number: "+3662123456" }] },
  { first: "Erika", last: "Balogh", company: { en: "", hu: "" }, email: "erika.balogh@mail.example", numbers: [{ type: "home", number: "+3614445566" }] },
] as const;

/**
 * What the demo names, per portal language. The whole organisation is seeded in
 * one language (the installation's default), so the queue, the flow and what
 * the flow says never mix languages: the flow is the business-hours template in
 * that language. People's names stay as they are.
 */
const demoTexts: Record<Locale, { queue: string; mainLine: string; flowName: string; flowDescription: string; scenarioNames: string[] }> = {
  en: {
    queue: "Customer support",
    mainLine: "Main line",
    flowName: "Reception: business hours and menu",
    flowDescription: "Open hours go to a menu (sales ring group, customer support queue); outside them a closed message.",
    scenarioNames: ["Key 1 during office hours reaches sales", "Closed on Easter Monday", "Silent caller goes to customer support, nobody logged in"],
  },
  hu: {
    queue: "Ügyfélszolgálat",
    mainLine: "Fővonal",
    flowName: "Recepció: nyitvatartás és menü",
    flowDescription: "Nyitvatartási időben menü (értékesítés csengetési csoport, ügyfélszolgálati sor), azon kívül zárva üzenet.",
    scenarioNames: ["Nyitvatartásban az 1-es gomb az értékesítéshez visz", "Húsvéthétfőn zárva", "A csendes hívó az ügyfélszolgálatra kerül, senki sincs bejelentkezve"],
  },
};

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
 * The demo organisation, in the installation's default language unless told
 * otherwise (on a fresh install that is English: the demo is seeded at the first
 * start, before the first admin chooses one). Idempotent: running it twice adds
 * nothing the second time. Demo users get no password — nobody can sign in as
 * them until an admin sets one (there is no default password anywhere).
 */
export async function seedDemo(db: Db, requestedLocale?: Locale): Promise<DemoSeedResult> {
  if (await getSetting(db, "demo_seeded_at")) {
    return { seeded: false, users: 0, extensions: [], phoneNumbers: [], queues: [], contacts: 0, flows: [] };
  }
  const locale = requestedLocale ?? (await getDefaultLocale(db));
  const texts = demoTexts[locale];
  const result: DemoSeedResult = { seeded: true, users: 0, extensions: [], phoneNumbers: [], queues: [], contacts: 0, flows: [] };
  await transaction(db, async (tx) => {
    const agentIds: string[] = [];
    for (const person of demoPeople) {
      const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, person.email)).limit(1);
      const userId = existing?.id ?? newId("user");
      if (!existing) {
        await tx.insert(users).values({ id: userId, email: person.email, firstName: person.first, lastName: person.last, role: "user" });
        result.users++;
      }
      if (!(await tx.select({ id: extensions.id }).from(extensions).where(eq(extensions.number, person.ext)).limit(1))[0]) {
        await tx.insert(extensions).values({ id: newId("extension"), number: person.ext, name: `${person.first} ${person.last}`, ownerUserId: userId });
        result.extensions.push(person.ext);
      }
      if (person.agent) {
        const [agent] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.userId, userId)).limit(1);
        const agentId = agent?.id ?? newId("agent");
        if (!agent) await tx.insert(agents).values({ id: agentId, userId });
        agentIds.push(agentId);
      }
    }
    const queueId = newId("queue");
    await tx.insert(queues).values({ id: queueId, name: texts.queue, strategy: "longest_idle", maxWaitS: 120, wrapUpS: 15 });
    for (const agentId of agentIds) await tx.insert(queueMembers).values({ queueId, agentId });
    result.queues.push(queueId);

    // The reception flow (business hours → menu → sales ring group / support queue), published and answering the main number.
    const flow = await createFlow(tx, demoReceptionFlow(queueId, locale), null);
    await publishFlow(tx, flow.id, null);
    result.flows.push(flow.id);
    const did = "+3612345678";
    if (!(await tx.select({ id: phoneNumbers.id }).from(phoneNumbers).where(eq(phoneNumbers.number, did)).limit(1))[0]) {
      await tx.insert(phoneNumbers).values({ id: newId("phoneNumber"), number: did, label: texts.mainLine, flowId: flow.id });
      result.phoneNumbers.push(did);
    }
    for (const contact of demoContacts) {
      await createContact(tx, {
        first_name: contact.first,
        last_name: contact.last,
        company: contact.company[locale],
        email: contact.email,
        numbers: contact.numbers.map((n) => ({ type: n.type, number: n.number })),
      });
      result.contacts++;
    }
    await setSetting(tx, "demo_seeded_at", new Date().toISOString());
  });
  return result;
}

function demoReceptionFlow(queueId: string, locale: Locale) {
  const texts = demoTexts[locale];
  const flow = businessHoursMenu(locale, texts.flowName);
  return {
    ...flow,
    description: texts.flowDescription,
    nodes: flow.nodes.map((node) => (node.type === "queue" ? { ...node, config: { ...node.config, queue_id: queueId } } : node)),
    // The repository's copy of this flow (the fixture) carries its saved test scenarios; node ids are the same.
    test_scenarios: receptionFlow.test_scenarios.map((scenario, index) => ({ ...scenario, name: texts.scenarioNames[index] ?? scenario.name })),
  };
}
