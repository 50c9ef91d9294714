"use client";
import { useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useMutation } from "@tanstack/react-query";
import { firstAdminSchema } from "@/lib/schemas/directory";
import { useTRPC } from "../trpc";
import { TextField } from "../ui/Field";
import { Button } from "../ui/Button";
import { fieldErrorsFromServer, fieldErrorsFromZod, useErrorText, type FieldErrors } from "../ui/formErrors";

export function SetupForm() {
  const t = useTranslations("auth");
  const locale = useLocale();
  const router = useRouter();
  const errorText = useErrorText();
  const trpc = useTRPC();
  const create = useMutation(trpc.account.createFirstAdmin.mutationOptions());
  const [errors, setErrors] = useState<FieldErrors>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = { ...Object.fromEntries(new FormData(event.currentTarget)), locale };
    const parsed = firstAdminSchema.safeParse(values);
    if (!parsed.success) return setErrors(fieldErrorsFromZod(parsed.error));
    setErrors({});
    try {
      await create.mutateAsync(parsed.data);
    } catch (error) {
      return setErrors(fieldErrorsFromServer(error));
    }
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirect: false });
    router.replace("/");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label={t("organisation")} name="organisation" error={errorText(errors.organisation)} required />
      <div className="grid grid-cols-2 gap-3">
        <TextField label={t("lastName")} name="lastName" autoComplete="family-name" error={errorText(errors.lastName)} />
        <TextField label={t("firstName")} name="firstName" autoComplete="given-name" error={errorText(errors.firstName)} required />
      </div>
      <TextField label={t("email")} name="email" type="email" autoComplete="username" error={errorText(errors.email)} required />
      <TextField
        label={t("password")}
        name="password"
        type="password"
        autoComplete="new-password"
        hint={t("passwordHint")}
        error={errorText(errors.password)}
        required
      />
      {errors._form ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errorText(errors._form)}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={create.isPending}>
        {t("createAdmin")}
      </Button>
    </form>
  );
}
