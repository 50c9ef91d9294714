"use client";
/** The flow editor page's client side: loads the flow, then runs an editing session on it. */
import "@xyflow/react/dist/style.css";
import "./flowEditor.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { useTRPC } from "../trpc";
import { EditorSession } from "./EditorSession";

export function FlowEditor({ flowId }: { flowId: string }) {
  const t = useTranslations("editor");
  const trpc = useTRPC();
  // The editor owns the draft while open: no background refetch may replace it under the admin's hands.
  const flow = useQuery({ ...trpc.flows.get.queryOptions({ id: flowId }), staleTime: Infinity, refetchOnWindowFocus: false, retry: false });

  if (flow.isPending) return <p className="p-8 text-sm text-slate-500">{t("loading")}</p>;
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
      <EditorSession key={flow.dataUpdatedAt} flow={flow.data} onReload={() => void flow.refetch()} />
    </ReactFlowProvider>
  );
}
