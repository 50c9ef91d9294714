"use client";
import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { CircleAlert, PauseCircle } from "lucide-react";
import { useTRPC } from "../trpc";
import { useErrorClassText, useWhen } from "./shared";

/** One banner per endpoint that is failing or disabled, saying what waits in its queue. */
export function HealthBanners() {
  const t = useTranslations("integration.health");
  const trpc = useTRPC();
  const when = useWhen();
  const errorClassText = useErrorClassText();
  const health = useQuery({ ...trpc.integration.deliveries.health.queryOptions(), refetchInterval: 10_000 });
  const problems = (health.data ?? []).filter((endpoint) => endpoint.state !== "ok");
  if (problems.length === 0) return null;
  return (
    <div className="mb-4 space-y-2">
      {problems.map((endpoint) => (
        <div
          key={endpoint.outbound_api_id}
          role="status"
          className={`flex gap-2 rounded-md px-4 py-3 text-sm ${endpoint.state === "failing" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-900"}`}
        >
          {endpoint.state === "failing" ? <CircleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0" /> : <PauseCircle aria-hidden className="mt-0.5 h-4 w-4 shrink-0" />}
          <div>
            <p className="font-medium">
              {endpoint.state === "failing"
                ? t("failing", { name: endpoint.name })
                : endpoint.disabled_reason === "gone"
                  ? t("gone", { name: endpoint.name })
                  : t("disabled", { name: endpoint.name })}
            </p>
            <p>
              {[
                endpoint.last_error_class ? t("lastError", { error: errorClassText(endpoint.last_error_class), time: when(endpoint.last_failure_at) }) : null,
                endpoint.queued > 0 ? t("queued", { count: endpoint.queued }) : null,
                endpoint.dead_24h > 0 ? t("dead", { count: endpoint.dead_24h }) : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </p>
          </div>
        </div>
      ))}
    </div>
  );
}
