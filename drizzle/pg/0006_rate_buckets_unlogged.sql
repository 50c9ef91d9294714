-- Hand-written, PostgreSQL only: every /api/v1 request updates its technical user's row of
-- api_rate_buckets (server/api/rest/rateLimit.ts). Unlogged, those updates write no WAL, so their
-- commits do not wait for a WAL flush. What that gives up is harmless for a rate limit: after a crash
-- the table is empty (every bucket starts full again) and standbys do not have it.
ALTER TABLE "api_rate_buckets" SET UNLOGGED;
