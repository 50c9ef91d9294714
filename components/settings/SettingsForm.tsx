"use client";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { CheckCircle2 } from "lucide-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { installationSettingsSchema, retentionDaysRange, type InstallationSettings } from "@/lib/schemas/settings";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { Card } from "../ui/PageHeader";
import { SelectField, TextField } from "../ui/Field";
import { fieldErrorsFromServer, fieldErrorsFromZod, useErrorText, type FieldErrors } from "../ui/formErrors";
import { FormError } from "../directory/bits";

/** The Settings page: one form for the installation's settings, saved together. */
export function SettingsPanel() {
  const t = useTranslations("settings");
  const trpc = useTRPC();
  const current = useQuery(trpc.settings.get.queryOptions());
  if (!current.data) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  return <SettingsForm initial={current.data} />;
}

function SettingsForm({ initial }: { initial: InstallationSettings }) {
  const t = useTranslations("settings");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (data) => {
        queryClient.setQueryData(trpc.settings.get.queryKey(), data);
        // The portal shell shows the organisation name: re-render the server layout.
        router.refresh();
      },
    }),
  );

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const form = new FormData(event.currentTarget);
    const days = String(form.get("deliveryRetentionDays") ?? "").trim();
    const parsed = installationSettingsSchema.safeParse({
      organisationName: String(form.get("organisationName") ?? ""),
      defaultLocale: String(form.get("defaultLocale") ?? ""),
      deliveryRetentionDays: days === "" ? Number.NaN : Number(days),
      publicUrl: String(form.get("publicUrl") ?? ""),
    });
    if (!parsed.success) return setErrors(fieldErrorsFromZod(parsed.error));
    setErrors({});
    try {
      await update.mutateAsync(parsed.data);
      setSaved(true);
    } catch (error) {
      setErrors(fieldErrorsFromServer(error));
    }
  }

  return (
    <form onSubmit={onSubmit} onChange={() => setSaved(false)} className="max-w-2xl space-y-6" noValidate>
      <Card className="space-y-4 p-6">
        <h2 className="text-base font-semibold text-slate-900">{t("organisation")}</h2>
        <TextField
          label={t("organisationName")}
          name="organisationName"
          defaultValue={initial.organisationName}
          maxLength={120}
          hint={t("organisationNameHint")}
          error={errorText(errors.organisationName)}
        />
        <SelectField label={t("defaultLocale")} name="defaultLocale" defaultValue={initial.defaultLocale} hint={t("defaultLocaleHint")} error={errorText(errors.defaultLocale)}>
          <option value="en">{t("localeEn")}</option>
          <option value="hu">{t("localeHu")}</option>
        </SelectField>
      </Card>
      <Card className="space-y-4 p-6">
        <h2 className="text-base font-semibold text-slate-900">{t("deliveryLog")}</h2>
        <TextField
          label={t("retentionDays")}
          name="deliveryRetentionDays"
          type="number"
          inputMode="numeric"
          min={retentionDaysRange.min}
          max={retentionDaysRange.max}
          step={1}
          defaultValue={initial.deliveryRetentionDays}
          className="max-w-32"
          hint={t("retentionDaysHint")}
          error={errorText(errors.deliveryRetentionDays)}
        />
      </Card>
      <Card className="space-y-4 p-6">
        <h2 className="text-base font-semibold text-slate-900">{t("connections")}</h2>
        <TextField
          label={t("publicUrl")}
          name="publicUrl"
          type="url"
          inputMode="url"
          placeholder="https://pbx.example.com"
          defaultValue={initial.publicUrl}
          maxLength={200}
          hint={t("publicUrlHint")}
          error={errorText(errors.publicUrl)}
        />
      </Card>
      <FormError message={errorText(errors._form)} />
      <div className="flex items-center gap-4">
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? t("saving") : t("save")}
        </Button>
        <p role="status" className="flex items-center gap-1.5 text-sm text-emerald-700">
          {saved ? (
            <>
              <CheckCircle2 aria-hidden className="h-4 w-4" />
              {t("saved")}
            </>
          ) : null}
        </p>
      </div>
    </form>
  );
}
