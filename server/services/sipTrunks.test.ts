import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSipEdgeTestDb } from "@/tests/helpers/sipEdge";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";
import type { Db } from "../db/client";
import { sipTrunks } from "../db/schema";
import { ServiceError } from "./errors";
import {
  createSipTrunk,
  deleteSipTrunk,
  inboundTrunks,
  listSipTrunks,
  outboundTrunk,
  recordTrunkRegistration,
  trunkRegistrationTargets,
  updateSipTrunk,
} from "./sipTrunks";
import type { SipEdgeData } from "../runtime/sipEdgeData";

let db: Db;
let cleanup: () => Promise<void>;
/** The SIP edge's view of the trunks: read per use on SQLite, an in-memory copy reloaded on the notification on PostgreSQL. */
let edge: SipEdgeData;
beforeEach(async () => ({ db, edge, cleanup } = await createSipEdgeTestDb()));
afterEach(() => cleanup());

/** Waits until the edge's view of the enabled trunks gives `expected` (at once on SQLite; after the reload on PostgreSQL). */
async function edgeSees(view: (rows: ReturnType<SipEdgeData["trunks"]["rows"]>) => unknown, expected: unknown): Promise<void> {
  await vi.waitFor(() => expect(view(edge.trunks.rows())).toEqual(expected));
}

const provider = { name: "Provider", addresses: ["198.51.100.7", "sip.provider.example:5080"], dids: ["06 1 234 5000"] };

/** The field a failing call names (ServiceError's field, or the zod issue's path). */
async function failingField(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof ServiceError) return error.options.field ?? "(no field)";
  if (error && typeof error === "object" && "issues" in error) return (error as { issues: { path: PropertyKey[] }[] }).issues[0].path.join(".");
  return `did not fail: ${String(error)}`;
}

describe("SIP trunks", () => {
  it("store addresses parsed, DIDs in E.164, and the registration password sealed, returned to nobody", async () => {
    const trunk = await createSipTrunk(db, { ...provider, username: "acct-1", password: "s3cret-pass" });
    expect(trunk).toMatchObject({
      name: "Provider",
      enabled: true,
      addresses: ["198.51.100.7", "sip.provider.example:5080"],
      dids: ["+3612345000"],
      username: "acct-1",
      hasPassword: true,
    });
    expect(JSON.stringify(trunk)).not.toContain("s3cret-pass");
    expect(JSON.stringify(await listSipTrunks(db))).not.toContain("s3cret-pass");
    const [row] = await db.select().from(sipTrunks);
    expect(row.sealedPassword).toBeTruthy();
    expect(row.sealedPassword).not.toContain("s3cret-pass");
    // Only the SIP edge gets it back, opened.
    await edgeSees(trunkRegistrationTargets, [
      { trunkId: trunk.id, name: "Provider", registrar: { host: "198.51.100.7", port: null }, domain: "198.51.100.7", username: "acct-1", password: "s3cret-pass" },
    ]);

    // Editing without a password keeps the stored one; a new one replaces it; no user name drops it.
    await updateSipTrunk(db, trunk.id, { ...provider, username: "acct-1", proxy: "proxy.provider.example" });
    await edgeSees((rows) => trunkRegistrationTargets(rows).map(({ password, registrar }) => ({ password, registrar })), [
      { password: "s3cret-pass", registrar: { host: "proxy.provider.example", port: null } },
    ]);
    await updateSipTrunk(db, trunk.id, { ...provider, username: "acct-1", password: "another-pass" });
    await edgeSees((rows) => trunkRegistrationTargets(rows).map((target) => target.password), ["another-pass"]);
    const withoutRegistration = await updateSipTrunk(db, trunk.id, { ...provider, username: "" });
    expect(withoutRegistration).toMatchObject({ username: "", hasPassword: false });
    await edgeSees(trunkRegistrationTargets, []);
  });

  it("refuse bad input naming the field", async () => {
    expect(await failingField(createSipTrunk(db, { ...provider, name: " " }))).toBe("name");
    expect(await failingField(createSipTrunk(db, { ...provider, addresses: [] }))).toBe("addresses");
    for (const bad of ["999.1.1.1", "host name", "sip:provider", "evil.example:70000", "a..b", "-x.example", "1.2.3.4:0", "host/path"]) {
      expect(await failingField(createSipTrunk(db, { ...provider, addresses: [bad] })), bad).toBe("addresses.0");
    }
    expect(await failingField(createSipTrunk(db, { ...provider, proxy: "not a host" }))).toBe("proxy");
    expect(await failingField(createSipTrunk(db, { ...provider, dids: ["12"] }))).toBe("dids");
    expect(await failingField(createSipTrunk(db, { ...provider, username: "acct" }))).toBe("password");
    expect(await failingField(createSipTrunk(db, { ...provider, password: "orphan" }))).toBe("username");
    for (const bad of ['a"b', "a>b", "a;x=y", "a b", "a@b", "a:b"]) {
      expect(await failingField(createSipTrunk(db, { ...provider, username: bad, password: "x" })), bad).toBe("username");
    }
    expect(await failingField(createSipTrunk(db, { ...provider, callerIdNumber: "abc" }))).toBe("callerIdNumber");
    await createSipTrunk(db, provider);
    expect(await failingField(createSipTrunk(db, { ...provider, name: "PROVIDER" }))).toBe("name");
  });

  it("are seen by the edge's live read after every change (config_versions), disabled ones not at all", async () => {
    const before = edge.trunks.version();
    const trunk = await createSipTrunk(db, provider);
    await vi.waitFor(() => expect(edge.trunks.version()).toBeGreaterThan(before));
    const afterCreate = edge.trunks.version();
    expect(inboundTrunks(edge.trunks.rows())).toEqual([{ id: trunk.id, name: "Provider", addresses: [{ host: "198.51.100.7", port: null }, { host: "sip.provider.example", port: 5080 }], dids: ["+3612345000"] }]);

    await updateSipTrunk(db, trunk.id, { ...provider, enabled: false });
    await vi.waitFor(() => expect(edge.trunks.version()).toBeGreaterThan(afterCreate));
    expect(inboundTrunks(edge.trunks.rows())).toEqual([]);
    expect(outboundTrunk(edge.trunks.rows())).toBeNull();

    const afterDisable = edge.trunks.version();
    await deleteSipTrunk(db, trunk.id);
    await vi.waitFor(() => expect(edge.trunks.version()).toBeGreaterThan(afterDisable));
  });

  it("give the outbound trunk: the one marked outbound, else the first enabled; its proxy, credentials and caller id", async () => {
    expect(outboundTrunk(edge.trunks.rows())).toBeNull();
    await createSipTrunk(db, { name: "A", addresses: ["192.0.2.1"] });
    await edgeSees(outboundTrunk, { host: "192.0.2.1", port: 5060 });
    await createSipTrunk(db, { name: "B", addresses: ["192.0.2.2:5070"], proxy: "out.example:5090", outbound: true, username: "u", password: "p", callerIdNumber: "+36 1 234 5000" });
    await edgeSees(outboundTrunk, { host: "out.example", port: 5090, username: "u", password: "p", callerIdNumber: "+3612345000" });
  });

  it("show the edge's registration status while the trunk registers", async () => {
    const trunk = await createSipTrunk(db, { ...provider, username: "acct", password: "pw" });
    expect((await listSipTrunks(db))[0].registration).toBeNull();
    await recordTrunkRegistration(db, trunk.id, { state: "failing", reason: "403 Forbidden", expiresAt: null }, "2026-12-06T08:00:00.000Z");
    expect((await listSipTrunks(db))[0].registration).toEqual({ state: "failing", reason: "403 Forbidden", expiresAt: null, updatedAt: "2026-12-06T08:00:00.000Z" });
    await deleteSipTrunk(db, trunk.id);
    // A late report for a deleted trunk is dropped, not an error.
    await recordTrunkRegistration(db, trunk.id, { state: "registered", reason: null, expiresAt: null }, "2026-12-06T08:00:01.000Z");
  });

  it("are for admins only over tRPC", async () => {
    expect(await trpcCode(callerAs(db, "user").sipTrunks.list())).toBe("FORBIDDEN");
    expect(await trpcCode(callerAs(db, "user").sipTrunks.create(provider))).toBe("FORBIDDEN");
    expect(await trpcCode(callerAs(db, null).sipTrunks.server())).toBe("UNAUTHORIZED");
    const admin = callerAs(db, "admin");
    const created = await admin.sipTrunks.create({ ...provider, username: "acct", password: "pw-over-trpc" });
    expect(JSON.stringify(await admin.sipTrunks.list())).not.toContain("pw-over-trpc");
    await admin.sipTrunks.update({ id: created.id, data: { ...provider, name: "Renamed" } });
    expect((await admin.sipTrunks.list()).map((trunk) => trunk.name)).toEqual(["Renamed"]);
    expect(await admin.sipTrunks.server()).toEqual({ telephony: "simulated" });
  });
});
