import { describe, expect, it, vi } from "vitest";
import type { LiveFeed, LiveListener } from "./liveFeed";
import { liveEventStream } from "./liveStream";

/** A feed the test drives by hand. */
function manualFeed() {
  const listeners = new Set<LiveListener>();
  const feed: LiveFeed = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { feed, listeners };
}

/** Reads the stream's `event:`/`data:` messages as they come. */
function messagesOf(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return async function next(): Promise<{ event: string; data: unknown }> {
    for (;;) {
      const end = buffered.indexOf("\n\n");
      if (end >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) };
        continue; // retry: and heartbeat comments
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffered += decoder.decode(value, { stream: true });
    }
  };
}

describe("a live view as server-sent events", () => {
  it("sends the snapshot on connect and after each change of its topic, folds changes made during a read into one more, and unsubscribes when the client goes", async () => {
    const { feed, listeners } = manualFeed();
    let version = 0;
    let reads = 0;
    let releaseRead: (() => void) | null = null;
    const abort = new AbortController();
    const response = liveEventStream(new Request("http://test/stream", { signal: abort.signal }), feed, {
      topic: "calls",
      read: async () => {
        reads++;
        const seen = version;
        if (releaseRead === null && seen === 2) await new Promise<void>((resolve) => (releaseRead = resolve));
        return { version: seen };
      },
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const next = messagesOf(response);
    expect(await next()).toEqual({ event: "calls", data: { version: 0 } });

    const changed = (topic: "calls" | "agents") => {
      for (const listener of listeners) listener(topic);
    };
    changed("agents"); // another view's topic: nothing
    version = 1;
    changed("calls");
    expect(await next()).toEqual({ event: "calls", data: { version: 1 } });
    expect(reads).toBe(2);

    // A read that takes a while: three changes meanwhile give one more snapshot, with the last of them.
    version = 2;
    changed("calls");
    await vi.waitFor(() => expect(releaseRead).not.toBeNull());
    for (const v of [3, 4, 5]) {
      version = v;
      changed("calls");
    }
    releaseRead!();
    expect(await next()).toEqual({ event: "calls", data: { version: 2 } });
    expect(await next()).toEqual({ event: "calls", data: { version: 5 } });
    expect(reads).toBe(4);

    abort.abort();
    await vi.waitFor(() => expect(listeners.size).toBe(0));
  });
});
