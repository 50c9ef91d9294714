import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { phoneNumbers, queues } from "../db/schema";
import { seedDemo } from "./demo";
import { getFlow, listFlows } from "./flows";
import { listContacts } from "./phonebook";
import { setSetting, settingKeys } from "./settings";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ db, cleanup } = await createTestDb());
});
afterEach(() => cleanup());

/** Every text the demo seeds that a person reads or hears, apart from people's names. */
async function seededTexts(): Promise<{ language: string | undefined; queue: string; mainLine: string | null; texts: string[] }> {
  const [summary] = await listFlows(db);
  const { draft } = await getFlow(db, summary.id);
  const spoken = draft.nodes.flatMap((node) =>
    Object.entries(node.config)
      .filter(([key, value]) => /prompt|text/.test(key) && typeof value === "string")
      .map(([, value]) => value as string),
  );
  const labels = draft.nodes.flatMap((node) => (node.label ? [node.label] : []));
  const queue = (await db.select({ name: queues.name }).from(queues).limit(1))[0]!.name;
  const mainLine = (await db.select({ label: phoneNumbers.label }).from(phoneNumbers).limit(1))[0]!.label;
  const companies = (await listContacts(db)).items.map((contact) => contact.company).filter(Boolean);
  const scenarios = (draft.test_scenarios ?? []).map((scenario) => scenario.name);
  return {
    language: draft.language,
    queue,
    mainLine,
    texts: [draft.name, draft.description ?? "", queue, mainLine ?? "", ...labels, ...spoken, ...scenarios, ...companies],
  };
}

describe("the demo organisation", () => {
  it("is English on a fresh install, which has not chosen a default language yet", async () => {
    await seedDemo(db);
    expect(await seededTexts()).toMatchObject({ language: "en", queue: "Customer support", mainLine: "Main line" });
    expect((await seededTexts()).texts).toContain("Welcome! For sales press 1, for customer support press 2.");
  });

  it("follows the installation's default language, with no text left in the other language", async () => {
    await seedDemo(db, "en");
    const english = await seededTexts();
    await cleanup();
    ({ db, cleanup } = await createTestDb());
    await setSetting(db, settingKeys.defaultLocale, "hu");
    await seedDemo(db);
    const hungarian = await seededTexts();

    expect(hungarian).toMatchObject({ language: "hu", queue: "Ügyfélszolgálat", mainLine: "Fővonal" });
    expect(hungarian.texts).toContain("Recepció: nyitvatartás és menü");
    // Same shape in both languages (three prompts, three scenarios, three companies...) and not one text shared.
    expect(hungarian.texts).toHaveLength(english.texts.length);
    expect(hungarian.texts.filter((text) => english.texts.includes(text))).toEqual([]);
  });
});
