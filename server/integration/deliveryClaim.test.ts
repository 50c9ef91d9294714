import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import type { PostgresConnection } from "../db/postgres";
import { claimInTransaction, claimOnPostgres, type ClaimRequest } from "./deliveryClaim";

if (!testDatabaseUrl) console.warn('The PostgreSQL delivery claim is not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

const NOW = Date.UTC(2026, 11, 6, 9, 0, 0);

describe.skipIf(!testDatabaseUrl)("the delivery claim on PostgreSQL", () => {
  let pg: PostgresConnection & { drop: () => Promise<void> };
  beforeAll(async () => {
    pg = await createTestPostgres(testDatabaseUrl!);
    for (const api of ["api_a", "api_b"]) {
      await pg.db.$client.query(
        `insert into outbound_apis (id, name, kind, config, signing_secret_encrypted, created_at, updated_at) values ($1, $1, 'end_of_call', '{}', 'unused', $2, $2)`,
        [api, NOW],
      );
    }
  });
  afterAll(async () => pg.drop());

  beforeEach(async () => {
    const client = pg.db.$client;
    await client.query("delete from deliveries");
    await client.query("delete from integration_messages");
    await client.query(`insert into integration_messages (id, event_type, conversation_id, payload, created_at) values ('msg', 'call.ended', null, '{}', $1)`, [NOW]);
    // 30 due deliveries per endpoint (oldest first by next_attempt_at), and one not yet due.
    for (const api of ["api_a", "api_b"]) {
      for (let i = 0; i < 30; i++) {
        await client.query(
          `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, created_at, updated_at) values ($1, 'msg', $2, 'pending', 0, $3, $4, $4)`,
          [`${api}_${String(i).padStart(2, "0")}`, api, NOW - 1_000 + i, NOW],
        );
      }
      await client.query(
        `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, created_at, updated_at) values ($1, 'msg', $2, 'pending', 0, $3, $3, $3)`,
        [`${api}_later`, api, NOW + 60_000],
      );
    }
  });

  const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({ apiId: "api_a", now: NOW, leaseUntil: NOW + 30_000, wanted: 16, endpointCap: 16, ...overrides });

  it("leases the oldest due deliveries, never one not yet due", async () => {
    const claimed = await claimOnPostgres(pg.db.$client, request({ wanted: 5 }));
    expect(claimed.map((c) => c.id)).toEqual(["api_a_00", "api_a_01", "api_a_02", "api_a_03", "api_a_04"]);
    expect(claimed[0]).toEqual({ id: "api_a_00", messageId: "msg", attempts: 0, expiresAt: null, leaseUntil: NOW + 30_000 });
    const { rows } = await pg.db.$client.query(`select count(*)::int as n from deliveries where status = 'in_flight'`);
    expect(rows[0].n).toBe(5);
  });

  it("two claims overlapping in time (the first not yet committed) still respect the endpoint's cap together", async () => {
    const [first, second] = [await pg.db.$client.connect(), await pg.db.$client.connect()];
    try {
      await first.query("begin");
      await second.query("begin");
      const firstClaim = await claimInTransaction(first, request({ wanted: 8, endpointCap: 10 }));
      // The second waits for the first to commit, then counts its leases.
      const secondClaim = claimInTransaction(second, request({ wanted: 8, endpointCap: 10 }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.query("commit");
      const claimed = [...firstClaim, ...(await secondClaim)];
      await second.query("commit");
      expect(firstClaim).toHaveLength(8);
      expect(claimed).toHaveLength(10);
      expect(new Set(claimed.map((c) => c.id)).size).toBe(10);
    } finally {
      first.release();
      second.release();
    }
  });

  it("several workers claiming at once get disjoint deliveries, and together never more than the endpoint's cap", async () => {
    const claims = await Promise.all(Array.from({ length: 6 }, () => claimOnPostgres(pg.db.$client, request({ wanted: 8, endpointCap: 20 }))));
    const ids = claims.flatMap((c) => c.map((d) => d.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
    // The cap is per endpoint: another endpoint is not held back by the first one's leases.
    expect(await claimOnPostgres(pg.db.$client, request({ apiId: "api_b", wanted: 8, endpointCap: 20 }))).toHaveLength(8);
    // Full: nothing more until a lease ends.
    expect(await claimOnPostgres(pg.db.$client, request({ wanted: 8, endpointCap: 20 }))).toEqual([]);
    // An expired lease no longer counts against the cap.
    expect(await claimOnPostgres(pg.db.$client, request({ now: NOW + 31_000, leaseUntil: NOW + 61_000, wanted: 8, endpointCap: 20 }))).toHaveLength(8);
  });
});
