"use client";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Ban, KeyRound, Pencil, Plus } from "lucide-react";
import type { TechnicalUserView } from "@/server/services/technicalUsers";
import { technicalUserInputSchema } from "@/lib/schemas/integration";
import { apiScopes, type ApiScope } from "@/lib/scopes";
import { useTRPC } from "../trpc";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { SelectField, TextField } from "../ui/Field";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { Badge, IconButton, SecretOnceDialog, errorsFromServer, errorsFromZod, useFieldErrorText, useWhen, type FieldErrors } from "./shared";

const GRACE_CHOICES = [0, 1, 24, 72, 168];

/** Technical users: the identities a CRM calls the public API with. Secrets appear once, after create and rotate. */
export function TechnicalUsersPanel() {
  const t = useTranslations("integration.users");
  const tc = useTranslations("common");
  const errorText = useFieldErrorText();
  const when = useWhen();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.integration.technicalUsers.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.integration.technicalUsers.list.queryKey() });
  const create = useMutation(trpc.integration.technicalUsers.create.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.integration.technicalUsers.update.mutationOptions({ onSuccess: invalidate }));
  const rotate = useMutation(trpc.integration.technicalUsers.rotate.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(trpc.integration.technicalUsers.revoke.mutationOptions({ onSuccess: invalidate }));

  const [editing, setEditing] = useState<TechnicalUserView | "new" | null>(null);
  const [rotating, setRotating] = useState<TechnicalUserView | null>(null);
  const [revoking, setRevoking] = useState<TechnicalUserView | null>(null);
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [grace, setGrace] = useState(24);

  const openWith = (open: () => void) => {
    setErrors({});
    open();
  };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const raw = {
      name: String(form.get("name") ?? ""),
      scopes: form.getAll("scopes").map(String) as ApiScope[],
      ipAllowlist: String(form.get("ipAllowlist") ?? "")
        .split(/[\s,]+/)
        .filter(Boolean),
    };
    const parsed = technicalUserInputSchema.safeParse(raw);
    if (!parsed.success) return setErrors(errorsFromZod(parsed.error));
    if (raw.scopes.length === 0) return setErrors({ scopes: { key: "integration.errors.scopes" } });
    setErrors({});
    try {
      if (editing === "new") {
        const result = await create.mutateAsync(parsed.data);
        setSecret({ clientId: result.technicalUser.clientId, clientSecret: result.clientSecret });
      } else if (editing) {
        await update.mutateAsync({ id: editing.id, data: { ...parsed.data, scopes: raw.scopes } });
      }
      setEditing(null);
    } catch (error) {
      setErrors(errorsFromServer(error));
    }
  }

  async function onRotate() {
    if (!rotating) return;
    try {
      const result = await rotate.mutateAsync({ id: rotating.id, graceHours: grace });
      setRotating(null);
      setSecret({ clientId: result.technicalUser.clientId, clientSecret: result.clientSecret });
    } catch (error) {
      setErrors(errorsFromServer(error));
    }
  }

  const current = editing === "new" ? null : editing;
  return (
    <section aria-labelledby="technical-users-title">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="technical-users-title" className="text-lg font-semibold text-slate-900">
            {t("title")}
          </h2>
          <p className="max-w-2xl text-sm text-slate-600">{t("intro")}</p>
        </div>
        <Button
          onClick={() => {
            setErrors({});
            setEditing("new");
          }}
        >
          <Plus aria-hidden className="h-4 w-4" />
          {t("add")}
        </Button>
      </div>
      <div className="relative overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-slate-600">
            <tr>
              {[t("name"), t("clientId"), t("scopes"), t("ipAllowlist"), t("lastUsed"), t("status")].map((header) => (
                <th key={header} scope="col" className="px-4 py-3 font-medium">
                  {header}
                </th>
              ))}
              <th scope="col" className="px-4 py-3">
                <span className="sr-only">{tc("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.data === undefined ? (
              <tr>
                <td colSpan={7} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {tc("loading")}
                </td>
              </tr>
            ) : users.data.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-4 py-6 text-left text-slate-500 md:text-center">
                  {t("empty")}
                </td>
              </tr>
            ) : (
              users.data.map((user) => (
                <tr key={user.id} className={user.revokedAt ? "text-slate-500" : "text-slate-800"}>
                  <td className="px-4 py-3 font-medium">{user.name}</td>
                  <td className="px-4 py-3 font-mono text-xs">{user.clientId}</td>
                  <td className="px-4 py-3">{user.scopes.length === apiScopes.length ? t("allScopes") : user.scopes.join(", ")}</td>
                  <td className="px-4 py-3 font-mono text-xs">{user.ipAllowlist.length ? user.ipAllowlist.join(", ") : t("anyAddress")}</td>
                  <td className="px-4 py-3">{when(user.lastUsedAt)}</td>
                  <td className="px-4 py-3">
                    {user.revokedAt ? (
                      <Badge tone="slate">{t("revoked")}</Badge>
                    ) : user.previousSecretExpiresAt ? (
                      <Badge tone="amber">{t("rotating", { time: when(user.previousSecretExpiresAt) })}</Badge>
                    ) : (
                      <Badge tone="green">{t("active")}</Badge>
                    )}
                  </td>
                  <td className="px-4 py-2 text-right whitespace-nowrap">
                    {user.revokedAt ? null : (
                      <>
                        <IconButton label={`${tc("edit")}: ${user.name}`} onClick={() => openWith(() => setEditing(user))}>
                          <Pencil aria-hidden className="h-4 w-4" />
                        </IconButton>
                        <IconButton label={`${t("rotate")}: ${user.name}`} onClick={() => openWith(() => {
                            setGrace(24);
                            setRotating(user);
                          })}>
                          <KeyRound aria-hidden className="h-4 w-4" />
                        </IconButton>
                        <IconButton label={`${t("revoke")}: ${user.name}`} danger onClick={() => openWith(() => setRevoking(user))}>
                          <Ban aria-hidden className="h-4 w-4" />
                        </IconButton>
                      </>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      <Modal open={editing !== null} title={current ? t("editTitle", { name: current.name }) : t("createTitle")} onClose={() => setEditing(null)}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <TextField label={t("name")} name="name" defaultValue={current?.name} hint={t("nameHint")} error={errorText(errors.name)} />
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">{t("scopes")}</legend>
            <div className="mt-1 grid grid-cols-2 gap-1">
              {apiScopes.map((scope) => (
                <label key={scope} className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" name="scopes" value={scope} defaultChecked={current ? current.scopes.includes(scope) : true} className="h-4 w-4 rounded border-slate-300" />
                  <span className="font-mono text-xs">{scope}</span>
                </label>
              ))}
            </div>
            {errors.scopes ? (
              <p role="alert" className="mt-1 text-sm text-red-600">
                {errorText(errors.scopes)}
              </p>
            ) : null}
          </fieldset>
          <TextField
            label={t("ipAllowlist")}
            name="ipAllowlist"
            defaultValue={current?.ipAllowlist.join(", ")}
            placeholder="203.0.113.7, 10.0.0.0/8"
            hint={t("ipAllowlistHint")}
            error={errorText(Object.entries(errors).find(([key]) => key.startsWith("ipAllowlist"))?.[1])}
          />
          {errors._form ? (
            <p role="alert" className="text-sm text-red-600">
              {errorText(errors._form)}
            </p>
          ) : null}
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={() => setEditing(null)}>
              {tc("cancel")}
            </Button>
            <Button type="submit" disabled={create.isPending || update.isPending}>
              {tc("save")}
            </Button>
          </div>
        </form>
      </Modal>

      <ConfirmDialog
        open={rotating !== null}
        title={t("rotateTitle", { name: rotating?.name ?? "" })}
        text={t("rotateText")}
        confirmLabel={t("rotate")}
        danger={false}
        pending={rotate.isPending}
        error={errorText(errors._form)}
        onConfirm={() => void onRotate()}
        onClose={() => setRotating(null)}
      >
        <SelectField label={t("grace")} value={String(grace)} onChange={(event) => setGrace(Number(event.target.value))}>
          {GRACE_CHOICES.map((hours) => (
            <option key={hours} value={hours}>
              {hours === 0 ? t("graceNone") : t("graceHours", { hours })}
            </option>
          ))}
        </SelectField>
      </ConfirmDialog>

      <ConfirmDialog
        open={revoking !== null}
        title={t("revokeTitle", { name: revoking?.name ?? "" })}
        text={t("revokeText")}
        confirmLabel={t("revoke")}
        danger
        pending={revoke.isPending}
        error={errorText(errors._form)}
        onConfirm={() => {
          if (revoking) void revoke.mutateAsync({ id: revoking.id }).then(() => setRevoking(null), (error: unknown) => setErrors(errorsFromServer(error)));
        }}
        onClose={() => setRevoking(null)}
      />

      <SecretOnceDialog
        open={secret !== null}
        title={t("secretTitle")}
        values={secret ? [{ label: "client_id", value: secret.clientId }, { label: "client_secret", value: secret.clientSecret }] : []}
        onClose={() => setSecret(null)}
      />
    </section>
  );
}
