-- Hand-written, PostgreSQL only: the portal's live views in a process without the call runtime
-- (server/db/README.md, "Shared between processes"). A change such a view shows notifies channel
-- "switchboard_live" with its topic; the listener (server/live/liveFeed.ts) re-reads the view from the
-- tables. pg_notify delivers on commit and folds identical notifications of one transaction, so a
-- flush of the runtime's queued writes notifies once per topic. SQLite has no counterpart: one process,
-- whose live views hear the runtime's events in memory.
CREATE FUNCTION "notify_live_topic"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchboard_live', TG_ARGV[0]);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The agent board: the latest state per agent is the last row of its history.
CREATE TRIGGER "agent_state_history_live" AFTER INSERT ON "agent_state_history"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_live_topic"('agents');
--> statement-breakpoint
-- Live calls: a call starts (insert), its live view moves (update of live_view), it ends (delete).
CREATE TRIGGER "open_calls_live" AFTER INSERT OR UPDATE OR DELETE ON "open_calls"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_live_topic"('calls');
