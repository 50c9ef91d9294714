"use client";
import { useEffect, useState, type FormEvent } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { pauseReasonCodes } from "@/lib/schemas/operations";
import type { AgentBoardRow } from "@/server/services/callCentre";
import { useTRPC } from "../trpc";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";
import { FormActions, FormError } from "../directory/bits";
import { fieldErrorsFromServer, useErrorText } from "../ui/formErrors";
import { formatDuration } from "./format";
import { LiveStatus, useLiveStream } from "./LiveStream";

export const agentStatusStyles: Record<AgentBoardRow["status"], string> = {
  available: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  on_call: "bg-sky-50 text-sky-700 ring-sky-200",
  wrap_up: "bg-violet-50 text-violet-700 ring-violet-200",
  paused: "bg-amber-50 text-amber-800 ring-amber-200",
  logged_out: "bg-slate-100 text-slate-600 ring-slate-200",
};

const boardPollSeconds = 5;

/** Live updates over server-sent events; if the stream cannot be kept open the board falls back to polling. */
function useLiveBoard() {
  const trpc = useTRPC();
  const live = useLiveStream("/api/operations/agents/stream", "agents", trpc.callCentre.board.queryKey(), (old, agents: AgentBoardRow[]) => (old ? { ...old, agents } : old));
  const board = useQuery({ ...trpc.callCentre.board.queryOptions(), refetchInterval: live === "polling" ? boardPollSeconds * 1000 : false });
  return { board, live };
}

/** Seconds since `since`, re-rendered every second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function usePauseReasonText() {
  const t = useTranslations("operations.callCentre.pauseReasons");
  return (reason: string | null) => (reason && t.has(reason) ? t(reason) : reason);
}

/** Every agent's state, updating without reload; agents act for themselves, admins for anyone. */
export function AgentBoard({ isAdmin }: { isAdmin: boolean }) {
  const t = useTranslations("operations.callCentre");
  const tCommon = useTranslations("common");
  const errorText = useErrorText();
  const reasonText = usePauseReasonText();
  const locale = useLocale();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { board, live } = useLiveBoard();
  const now = useNow();
  // The stream brings the change too; refetching covers a board that fell back to polling.
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.callCentre.board.queryKey() });
  const action = useMutation(trpc.callCentre.action.mutationOptions({ onSuccess: refresh }));
  const [pausing, setPausing] = useState<AgentBoardRow | null>(null);
  const myAgentId = board.data?.myAgentId ?? null;
  const rows = board.data?.agents;

  const act = (row: AgentBoardRow, kind: "login" | "logout" | "resume") => action.mutate({ agentId: row.agent_id, action: kind });

  return (
    <>
      <div className="mb-3 flex items-center justify-between">
        <p className="text-sm text-slate-600">{myAgentId ? t("board.introAgent") : t("board.intro")}</p>
        <LiveStatus live={live} pollSeconds={boardPollSeconds} />
      </div>
      <FormError message={action.error ? errorText(fieldErrorsFromServer(action.error)._form) : undefined} />
      <div className="relative mt-2 overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label={t("board.tableLabel")}>
          <thead className="bg-slate-50">
            <tr>
              {[t("board.agent"), t("board.extension"), t("board.queues"), t("board.status"), t("board.since")].map((header) => (
                <th key={header} scope="col" className="px-4 py-3 text-left font-medium text-slate-600">
                  {header}
                </th>
              ))}
              <th scope="col" className="px-4 py-3 text-right font-medium text-slate-600">
                <span className="sr-only">{tCommon("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows === undefined ? (
              <tr>
                <td colSpan={6} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {tCommon("loading")}
                </td>
              </tr>
            ) : rows.length === 0 ? (
              <tr>
                <td colSpan={6} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {t("board.empty")}
                </td>
              </tr>
            ) : (
              rows.map((row) => {
                const mayAct = isAdmin || row.agent_id === myAgentId;
                const since = row.since ? Date.parse(row.since) : null;
                return (
                  <tr key={row.agent_id} data-agent={row.name} className={row.agent_id === myAgentId ? "bg-brand-50/40" : undefined}>
                    <td className="px-4 py-3 font-medium text-slate-900">
                      {row.name}
                      {row.agent_id === myAgentId ? <span className="ml-2 text-xs font-normal text-slate-500">{t("board.you")}</span> : null}
                    </td>
                    <td className="px-4 py-3 font-mono">{row.extension}</td>
                    <td className="px-4 py-3 text-slate-600">{row.queues.join(", ") || "—"}</td>
                    <td className="px-4 py-3">
                      <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ${agentStatusStyles[row.status]}`}>{t(`status.${row.status}`)}</span>
                      {row.status === "paused" && row.pause_reason ? <span className="ml-2 text-xs text-slate-600">{reasonText(row.pause_reason)}</span> : null}
                    </td>
                    <td className="px-4 py-3 text-slate-600 tabular-nums">
                      {since !== null && row.status !== "logged_out" ? (
                        <time dateTime={row.since!} title={new Date(since).toLocaleString(locale)}>
                          {formatDuration((now - since) / 1000)}
                        </time>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td className="px-4 py-2 text-right whitespace-nowrap">
                      {mayAct ? (
                        <div className="inline-flex gap-2">
                          {row.status === "logged_out" ? (
                            <Button variant="secondary" onClick={() => act(row, "login")} aria-label={t("actions.loginFor", { name: row.name })} disabled={action.isPending}>
                              {t("actions.login")}
                            </Button>
                          ) : (
                            <>
                              {row.status === "paused" ? (
                                <Button variant="secondary" onClick={() => act(row, "resume")} aria-label={t("actions.resumeFor", { name: row.name })} disabled={action.isPending}>
                                  {t("actions.resume")}
                                </Button>
                              ) : (
                                <Button variant="secondary" onClick={() => setPausing(row)} aria-label={t("actions.pauseFor", { name: row.name })}>
                                  {t("actions.pause")}
                                </Button>
                              )}
                              <Button variant="ghost" onClick={() => act(row, "logout")} aria-label={t("actions.logoutFor", { name: row.name })} disabled={action.isPending}>
                                {t("actions.logout")}
                              </Button>
                            </>
                          )}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })
            )}
          </tbody>
        </table>
      </div>
      <PauseDialog agent={pausing} onClose={() => setPausing(null)} onPaused={refresh} />
    </>
  );
}

/** A short list of reasons plus free text; the reason is stored as given (codes are translated on display). */
function PauseDialog({ agent, onClose, onPaused }: { agent: AgentBoardRow | null; onClose: () => void; onPaused: () => void }) {
  const t = useTranslations("operations.callCentre");
  return (
    <Modal open={agent !== null} title={t("pause.title", { name: agent?.name ?? "" })} onClose={onClose}>
      {agent ? <PauseForm agent={agent} onClose={onClose} onPaused={onPaused} /> : null}
    </Modal>
  );
}

function PauseForm({ agent, onClose, onPaused }: { agent: AgentBoardRow; onClose: () => void; onPaused: () => void }) {
  const t = useTranslations("operations.callCentre");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const action = useMutation(trpc.callCentre.action.mutationOptions({ onSuccess: onPaused }));
  const [choice, setChoice] = useState<string>(pauseReasonCodes[0]);
  const [other, setOther] = useState("");
  const [error, setError] = useState<string | undefined>();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = choice === "other" ? other.trim() : choice;
    if (!reason) return setError("errors.required");
    try {
      await action.mutateAsync({ agentId: agent.agent_id, action: "pause", reason });
      onClose();
    } catch (failure) {
      setError(fieldErrorsFromServer(failure)._form ?? "errors.generic");
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("pause.reason")}</legend>
        {[...pauseReasonCodes, "other" as const].map((code) => (
          <div key={code} className="flex items-center gap-2">
            <input id={`pause-${code}`} type="radio" name="reason" value={code} checked={choice === code} onChange={() => setChoice(code)} className="h-4 w-4" />
            <label htmlFor={`pause-${code}`} className="text-sm text-slate-700">
              {code === "other" ? t("pause.other") : t(`pauseReasons.${code}`)}
            </label>
          </div>
        ))}
        {choice === "other" ? (
          <div className="pl-6">
            <label htmlFor="pause-other-text" className="sr-only">
              {t("pause.otherText")}
            </label>
            <input
              id="pause-other-text"
              value={other}
              maxLength={60}
              onChange={(e) => setOther(e.target.value)}
              placeholder={t("pause.otherText")}
              className="block w-full rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300"
            />
          </div>
        ) : null}
      </fieldset>
      <FormError message={errorText(error)} />
      <FormActions pending={action.isPending} onCancel={onClose} />
    </form>
  );
}
