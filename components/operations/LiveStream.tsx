"use client";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { useQueryClient, type DataTag, type QueryKey } from "@tanstack/react-query";

export type LiveConnection = "connecting" | "live" | "polling";

/**
 * Keeps a query's data current from a live view's server-sent events (server/live/liveStream.ts): each
 * snapshot is merged into the cached data of `queryKey` (a fetch still in flight is cancelled first, so an
 * older answer cannot overwrite a newer snapshot; a snapshot that needs the query's data to merge into,
 * while there is none yet, is left to that first fetch). After three failed connections in a row it stops
 * and answers "polling": the page then refetches the query on a timer instead.
 */
export function useLiveStream<Data, Snapshot>(
  url: string,
  event: string,
  queryKey: DataTag<QueryKey, Data, unknown>,
  merge: (old: Data | undefined, snapshot: Snapshot) => Data | undefined,
): LiveConnection {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<LiveConnection>("connecting");
  const mergeRef = useRef(merge);
  useEffect(() => {
    mergeRef.current = merge;
  });
  const key = JSON.stringify(queryKey);
  useEffect(() => {
    const queryKey = JSON.parse(key) as DataTag<QueryKey, Data, unknown>;
    const source = new EventSource(url);
    let failures = 0;
    let applied = Promise.resolve();
    source.addEventListener(event, (message) => {
      failures = 0;
      setLive("live");
      const snapshot = JSON.parse((message as MessageEvent<string>).data) as Snapshot;
      // In arrival order, each after the cancellation of whatever fetch was running.
      applied = applied.then(async () => {
        if (mergeRef.current(queryClient.getQueryData(queryKey), snapshot) === undefined) return;
        await queryClient.cancelQueries({ queryKey });
        queryClient.setQueryData(queryKey, (old) => mergeRef.current(old, snapshot));
      });
    });
    source.onerror = () => {
      failures++;
      if (failures >= 3) {
        source.close();
        setLive("polling");
      } else setLive("connecting");
    };
    return () => source.close();
  }, [queryClient, url, event, key]);
  return live;
}

/** The connection of a live view, said in words beside a coloured dot; `pollSeconds`: how often it refreshes when the stream is lost. */
export function LiveStatus({ live, pollSeconds }: { live: LiveConnection; pollSeconds: number }) {
  const t = useTranslations("operations.live");
  return (
    <span role="status" className="inline-flex items-center gap-2 text-xs text-slate-500">
      <span aria-hidden className={`h-2 w-2 rounded-full ${live === "live" ? "bg-emerald-500" : live === "polling" ? "bg-amber-500" : "bg-slate-300"}`} />
      {t(live, { seconds: pollSeconds })}
    </span>
  );
}
