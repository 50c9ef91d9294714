"use client";
/**
 * The flow editor page's client side: loads the flow, then runs an editing
 * session on it, or, with `?replay={callId}`, replays that past call on the
 * revision it ran (read-only) until the admin goes back to the draft. On a
 * phone-sized screen the flow opens read-only instead of in the editor.
 */
import "@xyflow/react/dist/style.css";
import "./flowEditor.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "../trpc";
import { EditorSession } from "./EditorSession";
import { ReplaySession } from "./ReplaySession";
import { NarrowScreenView, useNarrowScreen } from "./NarrowScreenView";

export function FlowEditor({ flowId }: { flowId: string }) {
  const t = useTranslations("editor");
  const trpc = useTRPC();
  // The editor owns the draft while open: no background refetch may replace it under the admin's hands.
  const flow = useQuery({ ...trpc.flows.get.queryOptions({ id: flowId }), staleTime: Infinity, refetchOnWindowFocus: false, retry: false });
  const replayOf = useSearchParams().get("replay");
  const router = useRouter();
  const narrow = useNarrowScreen();
  // An editing session, once open, stays when the window narrows: its unsaved edits live there.
  const [editorOpened, setEditorOpened] = useState(false);
  if (flow.isSuccess && narrow === false && !editorOpened) setEditorOpened(true);

  if (flow.isPending || narrow === null) return <p className="p-8 text-sm text-slate-500">{t("loading")}</p>;
  if (flow.isError) {
    return (
      <div className="p-8 text-sm">
        <p role="alert" className="text-red-700">
          {t("loadFailed")}
        </p>
        <Link href="/flows" className="mt-2 inline-block text-brand-700 underline">
          {t("topBar.back")}
        </Link>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      {/* Reloading (after a conflict or a rollback) fetches the flow again, which starts a fresh session. */}
      {replayOf ? (
        <ReplaySession
          key={replayOf}
          flow={flow.data}
          callId={replayOf}
          // The draft may have been saved elsewhere meanwhile: editing starts from a fresh copy.
          onExit={() => void flow.refetch().then(() => router.replace(`/flows/${encodeURIComponent(flowId)}`))}
        />
      ) : narrow && !editorOpened ? (
        <NarrowScreenView flow={flow.data} />
      ) : (
        <EditorSession key={flow.dataUpdatedAt} flow={flow.data} onReload={() => void flow.refetch()} />
      )}
    </ReactFlowProvider>
  );
}
