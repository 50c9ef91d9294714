import type pg from "pg";
import { inPgTransaction } from "../db/pgTransaction";

/**
 * The delivery worker's claim, one statement per dialect (issue #12): lease
 * the endpoint's due pending deliveries, oldest first.
 *
 * Parameters, in this order on both: lease_until, now (updated_at), endpoint
 * id, now (due before), how many this worker wants.
 */
export const sqliteClaimSql = `update deliveries set status = 'in_flight', lease_until = ?, updated_at = ?
   where rowid in (select rowid from deliveries where outbound_api_id = ? and status = 'pending' and next_attempt_at <= ? order by next_attempt_at limit ?)
   returning id, message_id as messageId, attempts, expires_at as expiresAt, lease_until as leaseUntil`;

/**
 * PostgreSQL, where several workers share the outbox: `for update skip
 * locked` lets concurrent claims take disjoint rows without waiting on each
 * other, and the endpoint's cap is enforced in the query — the rows this
 * claim may lease are the cap minus every live lease on the endpoint, whoever
 * holds it. Counting those leases is only exact if two claims for the same
 * endpoint do not count at once, so the claim first takes a transaction-level
 * advisory lock on the endpoint (claims for different endpoints still run in
 * parallel); in read committed the claim statement, run after the lock,
 * sees every lease committed before it.
 *
 * Extra parameter: $6, the most deliveries leased on the endpoint across all workers.
 */
const pgClaimSql = `with capacity as (
     select greatest($6::bigint - count(*), 0) as free from deliveries
     where outbound_api_id = $3 and status = 'in_flight' and lease_until > $4
   ), due as (
     select id from deliveries
     where outbound_api_id = $3 and status = 'pending' and next_attempt_at <= $4
     order by next_attempt_at
     limit least($5::bigint, (select free from capacity))
     for update skip locked
   )
   update deliveries d set status = 'in_flight', lease_until = $1, updated_at = $2
   from due where d.id = due.id
   returning d.id, d.message_id as "messageId", d.attempts, d.expires_at as "expiresAt", d.lease_until as "leaseUntil"`;

export interface ClaimRequest {
  apiId: string;
  now: number;
  leaseUntil: number;
  /** How many this worker wants. */
  wanted: number;
  /** The most deliveries leased on the endpoint across all workers. */
  endpointCap: number;
}

export interface ClaimedRow {
  id: string;
  messageId: string;
  attempts: number;
  expiresAt: number | null;
  leaseUntil: number;
}

const claimLockSql = `select pg_advisory_xact_lock(hashtext('delivery-claim:' || $1))`;

/** One claim on PostgreSQL, in its own transaction. */
export function claimOnPostgres(pool: pg.Pool, request: ClaimRequest): Promise<ClaimedRow[]> {
  return inPgTransaction(pool, (client) => claimInTransaction(client, request));
}

/** The claim inside the caller's open transaction (its leases become visible to other claims when it commits); bigint columns come back as numbers. */
export async function claimInTransaction(client: pg.ClientBase, request: ClaimRequest): Promise<ClaimedRow[]> {
  await client.query(claimLockSql, [request.apiId]);
  const { rows } = await client.query<Record<string, string | null>>(pgClaimSql, [
    request.leaseUntil,
    request.now,
    request.apiId,
    request.now,
    request.wanted,
    request.endpointCap,
  ]);
  return rows.map((row) => ({
    id: String(row.id),
    messageId: String(row.messageId),
    attempts: Number(row.attempts),
    expiresAt: row.expiresAt === null ? null : Number(row.expiresAt),
    leaseUntil: Number(row.leaseUntil),
  }));
}
