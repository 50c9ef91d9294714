import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { generateSigningSecret } from "@/server/integration/signing";
import { sampleEvent } from "@/server/integration/samples";
import { CrmDemo } from "./app";

let demo: CrmDemo;
let base: string;
const secret = generateSigningSecret();
const rotatedAway = generateSigningSecret();

beforeEach(async () => {
  demo = new CrmDemo({ secrets: [rotatedAway, secret], switchboardUrl: "http://127.0.0.1:9" });
  base = `http://127.0.0.1:${await demo.listen(0)}`;
});
afterEach(() => demo.close());

function post(path: string, payload: unknown, id = `msg_${Math.random()}`, signWith = secret) {
  const body = JSON.stringify(payload);
  const now = new Date();
  const signature = new Webhook(signWith).sign(id, now, body);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return fetch(base + path, { method: "POST", headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature }, body });
}

describe("the reference CRM receiver", () => {
  it("answers a signed look-up from its customer table in the documented shape, 404 for strangers", async () => {
    const event = sampleEvent("data_lookup") as { type: string; data: { caller: { number: string } } };
    const found = await post("/lookup", event);
    expect(await found.json()).toMatchObject({ extension: "102", contact: { name: "Varga László" } });
    event.data.caller.number = "+3611111111";
    expect((await post("/lookup", event)).status).toBe(404);
  });

  it("refuses unsigned or wrongly signed messages", async () => {
    expect((await post("/cdr", sampleEvent("end_of_call"), "msg_1", generateSigningSecret())).status).toBe(401);
    expect((await fetch(`${base}/cdr`, { method: "POST", body: "{}" })).status).toBe(401);
    expect(demo.cdrs()).toHaveLength(0);
  });

  it("keeps each call record once, however often it is delivered", async () => {
    expect((await post("/cdr", sampleEvent("end_of_call"), "msg_same")).status).toBe(200);
    expect((await post("/cdr", sampleEvent("end_of_call"), "msg_same")).status).toBe(200);
    const listed = (await (await fetch(`${base}/api/cdrs`)).json()) as unknown[];
    expect(listed).toHaveLength(1);
    expect(await (await fetch(base)).text()).toContain("Demo CRM");
  });
});
