/**
 * The SQLite schema, as the app imports it. The tables are declared once,
 * dialect-neutrally, one file per area (core.ts, calls.ts, …) and built here
 * from sqlite-core; pg.ts builds the same declarations for PostgreSQL
 * (server/db/README.md). drizzle-kit reads this file to generate drizzle/.
 */
import { sqliteDialect } from "./dialect";
import { defineTables } from "./tables";

export { forwardingKinds, type ForwardingKind } from "./core";
export { deliveryStatuses, type DeliveryStatus } from "./integration";

export const {
  users,
  extensions,
  forwardingRules,
  flows,
  flowRevisions,
  phoneNumbers,
  queues,
  agents,
  queueMembers,
  phonebookContacts,
  phonebookNumbers,
  technicalUsers,
  settings,
  configVersions,
  sipCredentials,
  sipTrunks,
  sipTrunkRegistrations,
  cdrs,
  cdrExtensions,
  runtimeInstances,
  openCalls,
  callTraces,
  recordings,
  agentStateHistory,
  apiIdempotencyKeys,
  apiRateBuckets,
  loginFailures,
  outboundApis,
  integrationMessages,
  deliveries,
  deliveryAttempts,
  callDataRequests,
  audioPrompts,
} = defineTables(sqliteDialect);
