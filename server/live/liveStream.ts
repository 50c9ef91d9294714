import type { LiveFeed, LiveTopic } from "./liveFeed";

const HEARTBEAT_MS = 15_000;

/**
 * A live view as server-sent events (`event: <topic>`, `data: <snapshot JSON>`): the snapshot on connect and
 * again after every change of its topic, plus a heartbeat comment so proxies keep the connection open. It
 * subscribes to the feed (server/live/liveFeed.ts: the runtime's events on SQLite, LISTEN/NOTIFY on
 * PostgreSQL, where this process may run no runtime) before the first snapshot is read, so no change falls
 * in between. Changes that come while a snapshot is being read or sent are folded into one more snapshot,
 * sent at most every `minIntervalMs` — a busy topic costs a bounded number of reads per client.
 * The agent board and the live calls list both stream through here; their pages poll only as a fallback.
 */
export function liveEventStream(request: Request, feed: LiveFeed, view: { topic: LiveTopic; read: () => Promise<unknown>; minIntervalMs?: number }): Response {
  const encoder = new TextEncoder();
  let stop = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      // busy: a snapshot is scheduled, being read or sent, or cooling down; dirty: its topic changed meanwhile.
      let busy = true;
      let dirty = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const send = async () => {
        dirty = false;
        try {
          write(`event: ${view.topic}\ndata: ${JSON.stringify(await view.read())}\n\n`);
        } catch {
          stop(); // the snapshot cannot be read: the client reconnects (retry: 3000)
          return;
        }
        setTimeout(() => {
          if (dirty && !closed) void send();
          else busy = false;
        }, view.minIntervalMs ?? 0);
      };
      // Never read inside the notifying call: on SQLite that is the PBX in the middle of an event.
      const unsubscribe = feed.subscribe((topic) => {
        if (topic !== view.topic) return;
        if (busy) dirty = true;
        else {
          busy = true;
          setTimeout(() => void send(), 0);
        }
      });
      const heartbeat = setInterval(() => write(": heartbeat\n\n"), HEARTBEAT_MS);
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
      void send();
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
