import { getSessionUser } from "@/server/auth/options";
import { getDb } from "@/server/db/client";
import { liveFeed } from "@/server/live/liveFeed";
import { liveAgentStates } from "@/server/live/liveState";
import { agentBoard } from "@/server/services/callCentre";

export const dynamic = "force-dynamic";

const heartbeatMs = 15_000;

/**
 * The live agent board as server-sent events: the whole board on connect and
 * after every agent state change (changes in one tick are sent once), plus a
 * heartbeat comment so proxies keep the connection open. The changes come
 * from the live feed (server/live/liveFeed.ts): the runtime's events on
 * SQLite, LISTEN/NOTIFY on PostgreSQL, where this process may run no
 * runtime; it subscribes before the first board is read, so no change falls
 * in between.
 */
export async function GET(request: Request): Promise<Response> {
  if (!(await getSessionUser())) return new Response("Sign in first", { status: 401 });
  const db = getDb();
  const feed = await liveFeed(db);
  const encoder = new TextEncoder();
  let stop = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let scheduled = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const sendBoard = async () => {
        scheduled = false;
        try {
          write(`event: agents\ndata: ${JSON.stringify(await agentBoard(db, await liveAgentStates(db)))}\n\n`);
        } catch {
          stop(); // the board cannot be read: the client reconnects (retry: 3000)
        }
      };
      const unsubscribe = feed.subscribe((topic) => {
        if (topic !== "agents" || scheduled) return;
        scheduled = true;
        setTimeout(() => void sendBoard(), 0);
      });
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
      stop = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener("abort", stop);
      write("retry: 3000\n\n");
      void sendBoard();
    },
    cancel() {
      stop();
    },
  });

  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform keeps the compression middleware from buffering the stream.
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
