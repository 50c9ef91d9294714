import { desc, eq } from "drizzle-orm";
import { parseFlowDocument } from "@/flows/model/document";
import type { FlowDocument } from "@/flows/model/types";
import { isPostgres, type Db } from "../db/client";
import type { PgDb } from "../db/postgres";
import { PgConfigVersions } from "../db/pgConfigVersions";
import { flowRevisions } from "../db/schema/pg";
import { loadPublishedDocument } from "../services/flows";
import { audioPromptDuration } from "../services/audioPrompts";
import type { Directory } from "../pbx/directory";
import { CallStore } from "./callStore";
import { PgDirectory } from "./pgDirectory";
import { PgRecordWriter } from "./pgRecordWriter";
import { recordWriterFor } from "./recordWriter";
import { SqliteDirectory } from "./sqliteDirectory";
import type { Clock } from "@/flows/runtime/ports";
import { LiveCallViewPublisher, type LiveCallRecord } from "../live/liveCallViews";

export type RuntimeDirectory = Directory & { extensionNumbers(): string[] };
export type PublishedFlow = FlowDocument & { revision: number };

/** What the call runtime reads and records, from one database (RuntimeOptions.data). */
export interface RuntimeStore {
  store: CallStore;
  directory: RuntimeDirectory;
  loadPublishedFlow(flowId: string): Promise<PublishedFlow | null>;
  /** Synchronous: the simulated engine asks while it plays a prompt. */
  audioDurationMs(audioId: string): number | undefined;
  /** PostgreSQL: keeps the calls' live views in the database for portal processes without a runtime (the Runtime calls it once). */
  publishLiveCalls?(source: () => LiveCallRecord[], clock: Clock): void;
  /** A normal stop: what is still queued is committed, listeners end (the pool stays the caller's). */
  close(): Promise<void>;
}

/** SQLite: the directory and the flows are read per call (prepared statements), records are written at once. */
export function sqliteRuntimeStore(db: Db): RuntimeStore {
  return {
    store: new CallStore(db),
    directory: new SqliteDirectory(db),
    loadPublishedFlow: async (flowId) => loadPublishedDocument(db, flowId),
    audioDurationMs: (audioId) => audioPromptDuration(db, audioId),
    close: async () => {},
  };
}

export interface PostgresRuntimeStore extends RuntimeStore {
  directory: PgDirectory;
  /** The process's change counters (LISTEN): VersionedCache works on PostgreSQL with them, without a query per use. */
  versions: PgConfigVersions;
  writer: PgRecordWriter;
}

/**
 * PostgreSQL: the directory is an in-memory snapshot kept fresh by
 * LISTEN/NOTIFY, records are queued and flushed in event order
 * (server/runtime/README.md, "The runtime on PostgreSQL").
 */
export async function postgresRuntimeStore(db: PgDb): Promise<PostgresRuntimeStore> {
  const versions = await PgConfigVersions.start(db.$client);
  const directory = await PgDirectory.load(db.$client, versions);
  const writer = recordWriterFor(db) as PgRecordWriter;
  let liveCalls: LiveCallViewPublisher | null = null;
  return {
    store: new CallStore(db),
    directory,
    versions,
    writer,
    loadPublishedFlow: async (flowId) => {
      const [row] = await db
        .select({ document: flowRevisions.document, revision: flowRevisions.revision })
        .from(flowRevisions)
        .where(eq(flowRevisions.flowId, flowId))
        .orderBy(desc(flowRevisions.revision))
        .limit(1);
      if (!row) return null;
      const parsed = parseFlowDocument(row.document);
      if (!parsed.ok) throw new Error(`stored flow document ${flowId}#${row.revision} is unreadable: ${parsed.errors[0]?.message}`);
      return { ...parsed.document, revision: row.revision };
    },
    audioDurationMs: (audioId) => directory.audioDurationMs(audioId),
    publishLiveCalls: (source, clock) => {
      liveCalls = new LiveCallViewPublisher(source, writer, clock);
      liveCalls.start();
    },
    close: async () => {
      liveCalls?.stop();
      await writer.durable();
      writer.stop();
      directory.close();
      await versions.close();
    },
  };
}

/** What the lead wires at boot: the runtime's store for whichever database `DATABASE_URL` chose. */
export async function createRuntimeStore(db: Db | PgDb): Promise<RuntimeStore> {
  return isPostgres(db) ? postgresRuntimeStore(db) : sqliteRuntimeStore(db);
}
