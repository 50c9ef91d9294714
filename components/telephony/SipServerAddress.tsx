"use client";
import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";

/**
 * Where this server's SIP edge is reached (phones register there, trunks send
 * calls there), or, with simulated telephony, a note saying what to set.
 */
export function SipServerAddress() {
  const t = useTranslations("sipCredentials");
  const trpc = useTRPC();
  const server = useQuery(trpc.sipTrunks.server.queryOptions()).data;
  if (!server) return null;
  if (server.telephony !== "sip") {
    return (
      <p className="rounded-md bg-slate-50 p-3 text-sm text-slate-700 ring-1 ring-slate-200" data-testid="sip-server-simulated">
        {t("simulated")}
      </p>
    );
  }
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      <dt className="text-slate-500">{t("server")}</dt>
      <dd className="font-mono break-all" data-testid="sip-server">
        {t("serverValue", { address: server.address, port: server.port })}
      </dd>
    </dl>
  );
}
