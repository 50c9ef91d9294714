-- Hand-written, PostgreSQL only: a delivery that becomes due notifies channel "deliveries_due", so delivery workers in
-- other processes claim it at once instead of at their next poll (server/integration/README.md, "On PostgreSQL").
-- A trigger rather than a pg_notify beside the inserts: every writer is covered without knowing of it — the runtime's
-- record writer (its outbox units, committed in batches), a resend from the delivery log in a web/api process (which
-- has no worker of its own to wake), `db copy`, a hand edit in SQL — and the record writer keeps one statement for both
-- dialects. NOTIFY inside a transaction is delivered on commit and never on rollback, so a worker can never be woken
-- for a row it cannot see yet; identical notifications of one transaction are folded, so a flush of many units
-- notifies once. Row-level with WHEN: the look-up log's rows (inserted finished) and the worker's own updates (claims,
-- results, lease renewals) do not call the function at all. Retries falling due later are not notified: workers
-- find them on their timer. SQLite has no counterpart: one process, whose outbox wakes its worker in memory.
CREATE FUNCTION "notify_delivery_due"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('deliveries_due', 'due');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "deliveries_due_on_insert" AFTER INSERT ON "deliveries"
  FOR EACH ROW WHEN (NEW."status" = 'pending') EXECUTE FUNCTION "notify_delivery_due"();
--> statement-breakpoint
-- A resend from the delivery log (dead or expired → pending, server/services/deliveries.ts).
CREATE TRIGGER "deliveries_due_on_resend" AFTER UPDATE OF "status" ON "deliveries"
  FOR EACH ROW WHEN (OLD."status" IN ('dead', 'expired') AND NEW."status" = 'pending') EXECUTE FUNCTION "notify_delivery_due"();
