import type pg from "pg";
import { getDb, isPostgres, type Db } from "../db/client";
import { PgListener } from "../db/pgListener";
import type { PbxEvent } from "../pbx/events";
import type { Pbx } from "../pbx/pbx";
import type { LiveCalls } from "../runtime/liveCalls";
import { getRuntime } from "../runtime";

/** What a live view shows: the agent board, or the calls in progress. */
export type LiveTopic = "agents" | "calls";
export const liveTopics: readonly LiveTopic[] = ["agents", "calls"];

/** Told that a topic changed; the view re-reads its snapshot (liveState.ts). */
export type LiveListener = (topic: LiveTopic) => void;

/**
 * The changes the portal's live views follow. A feed says *that* a topic
 * changed, never the new state: a view subscribes first, then reads its
 * snapshot, then re-reads it on each change (snapshot-then-stream), so a
 * change cannot fall between the read and the stream, and a feed that lost
 * changes (a dropped LISTEN connection) only has to announce every topic.
 *
 * - In process (`runtimeLiveFeed`, SQLite: one process): the runtime's own
 *   events, synchronously.
 * - PostgreSQL (`PgLiveFeed`): the runtime process's writes notify channel
 *   `switchboard_live` from triggers (drizzle/pg/0005), on commit; every
 *   process listens once, whether or not it runs the runtime.
 */
export interface LiveFeed {
  /** Returns an unsubscribe. */
  subscribe(listener: LiveListener): () => void;
}

/** The topic a runtime event changes, if any. */
export function liveTopicOf(event: PbxEvent): LiveTopic | null {
  if (event.type === "agent.state_changed") return "agents";
  return event.type === "voicemail.left" ? null : "calls";
}

/** One process: the PBX's events, and a call's flow entering a node (the live calls view shows the node). */
export function runtimeLiveFeed(runtime: { pbx: Pbx; live: LiveCalls }): LiveFeed {
  return {
    subscribe: (listener) => {
      const fromPbx = runtime.pbx.subscribe((event) => {
        const topic = liveTopicOf(event);
        if (topic) listener(topic);
      });
      const fromFlows = runtime.live.onNodeEntered(() => listener("calls"));
      return () => {
        fromPbx();
        fromFlows();
      };
    },
  };
}

const CHANNEL = "switchboard_live";

export class PgLiveFeed implements LiveFeed {
  private readonly listeners = new Set<LiveListener>();
  private listener: PgListener | null = null;

  /** Resolves once listening: a view that subscribes after this misses no committed change. */
  static async start(pool: pg.Pool, options: { reconnectMs?: number } = {}): Promise<PgLiveFeed> {
    const feed = new PgLiveFeed();
    feed.listener = await PgListener.start(pool, CHANNEL, {
      reconnectMs: options.reconnectMs,
      onNotification: (payload) => {
        const topic = liveTopics.find((known) => known === payload);
        if (topic) feed.emit(topic);
      },
      // After a lost connection every view re-reads its snapshot: what was notified meanwhile is gone.
      onListening: (_client, reconnected) => {
        if (reconnected) for (const topic of liveTopics) feed.emit(topic);
      },
    });
    return feed;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.listener?.close();
  }

  /** Tests: the LISTEN connection drops as in a network failure. */
  breakConnectionForTests(): void {
    this.listener?.breakConnectionForTests();
  }

  private emit(topic: LiveTopic): void {
    for (const listener of this.listeners) listener(topic);
  }
}

// One LISTEN connection per process, shared by every route handler bundle (hence globalThis).
const globalForLive = globalThis as unknown as { switchboardLiveFeed?: Promise<PgLiveFeed> };

/** The feed of this process: PostgreSQL's when the database is PostgreSQL (any role), else the runtime's events. */
export async function liveFeed(db: Db = getDb()): Promise<LiveFeed> {
  if (!isPostgres(db)) return runtimeLiveFeed(getRuntime());
  globalForLive.switchboardLiveFeed ??= PgLiveFeed.start(db.$client).catch((error: unknown) => {
    globalForLive.switchboardLiveFeed = undefined;
    throw error;
  });
  return globalForLive.switchboardLiveFeed;
}
