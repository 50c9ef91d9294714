"use client";
import { useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { useErrorText } from "../ui/formErrors";
import { FormError } from "./bits";
import { SipServerAddress } from "../telephony/SipServerAddress";

/**
 * An extension's SIP phone login (issue #13): the SIP user name, whether a
 * password exists, and a button that generates (or rotates) it. The new
 * password is shown once, here; the server keeps it sealed and never shows it again.
 */
export function SipCredentialsSection({ extensionId }: { extensionId: string }) {
  const t = useTranslations("sipCredentials");
  const format = useFormatter();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.extensions.sipCredentials.queryOptions({ id: extensionId }));
  const [shown, setShown] = useState<string | null>(null);
  const rotate = useMutation(
    trpc.extensions.rotateSipPassword.mutationOptions({
      onSuccess: (result) => {
        setShown(result.password);
        void queryClient.invalidateQueries({ queryKey: trpc.extensions.sipCredentials.queryKey({ id: extensionId }) });
      },
    }),
  );
  const data = status.data;
  return (
    <section aria-labelledby={`sip-${extensionId}`} className="mt-6 space-y-3 border-t border-slate-200 pt-4">
      <h3 id={`sip-${extensionId}`} className="text-sm font-semibold text-slate-900">
        {t("title")}
      </h3>
      <p className="text-sm text-slate-600">{t("intro")}</p>
      <SipServerAddress />
      {data ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">{t("user")}</dt>
          <dd className="font-mono">{data.sipUser}</dd>
          <dt className="text-slate-500">{t("password")}</dt>
          <dd>{data.passwordSetAt ? t("passwordSet", { when: format.dateTime(new Date(data.passwordSetAt), { dateStyle: "medium", timeStyle: "short" }) }) : t("noPassword")}</dd>
        </dl>
      ) : null}
      {shown ? (
        <div role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
          <p>{t("shownOnce")}</p>
          <p className="mt-1 font-mono text-base select-all" data-testid="sip-password">
            {shown}
          </p>
        </div>
      ) : null}
      <FormError message={rotate.error ? errorText(rotate.error.message) : undefined} />
      <Button variant="secondary" disabled={rotate.isPending} onClick={() => rotate.mutate({ id: extensionId })}>
        {data?.hasPassword ? t("rotate") : t("generate")}
      </Button>
    </section>
  );
}
