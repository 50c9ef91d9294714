"use client";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { Plus, X } from "lucide-react";
import { contactInputSchema, contactNumberTypes, maxNumbersPerContact, type ContactInput, type ContactNumberType } from "@/lib/schemas/operations";
import type { ContactView } from "@/server/services/phonebook";
import { Modal } from "../ui/Modal";
import { Button } from "../ui/Button";
import { TextField } from "../ui/Field";
import { FormActions, FormError } from "../directory/bits";
import { fieldErrorsFromServer, fieldErrorsFromZod, useErrorText, type FieldErrors } from "../ui/formErrors";

interface NumberRow {
  key: number;
  type: ContactNumberType;
  number: string;
}

let nextKey = 0;
const numberRow = (type: ContactNumberType = "mobile", number = ""): NumberRow => ({ key: nextKey++, type, number });

/** Create or edit a contact: names, company, e-mail, external id, any number of typed numbers, notes. */
export function ContactDialog({
  open,
  contact,
  onClose,
  onSave,
}: {
  open: boolean;
  contact: ContactView | null;
  onClose: () => void;
  onSave: (input: ContactInput) => Promise<unknown>;
}) {
  const t = useTranslations("operations.phonebook");
  return (
    <Modal open={open} title={contact ? t("editTitle", { name: displayName(contact) }) : t("createTitle")} onClose={onClose}>
      {/* Keyed so every opening starts from the contact's current values. */}
      <ContactForm key={`${contact?.id ?? "new"}-${contact?.version ?? 0}`} contact={contact} onClose={onClose} onSave={onSave} />
    </Modal>
  );
}

export function displayName(contact: Pick<ContactView, "first_name" | "last_name" | "company">): string {
  return `${contact.first_name} ${contact.last_name}`.trim() || contact.company;
}

function ContactForm({ contact, onClose, onSave }: { contact: ContactView | null; onClose: () => void; onSave: (input: ContactInput) => Promise<unknown> }) {
  const t = useTranslations("operations.phonebook");
  const errorText = useErrorText();
  const [numbers, setNumbers] = useState<NumberRow[]>(() => (contact?.numbers.length ? contact.numbers.map((n) => numberRow(n.type, n.number)) : [numberRow()]));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    const input = {
      external_id: text("external_id"),
      first_name: text("first_name"),
      last_name: text("last_name"),
      company: text("company"),
      email: text("email").trim(),
      notes: text("notes"),
      numbers: numbers.filter((n) => n.number.trim() !== "").map(({ type, number }) => ({ type, number })),
    };
    const parsed = contactInputSchema.safeParse(input);
    if (!parsed.success) return setErrors(fieldErrorsFromZod(parsed.error));
    setErrors({});
    setPending(true);
    try {
      await onSave(input);
      onClose();
    } catch (error) {
      setErrors(fieldErrorsFromServer(error));
    } finally {
      setPending(false);
    }
  }

  // Errors name numbers by their position among the non-empty rows sent.
  const sentIndex = (row: NumberRow) => numbers.filter((n) => n.number.trim() !== "").indexOf(row);
  const update = (key: number, change: Partial<NumberRow>) => setNumbers((rows) => rows.map((r) => (r.key === key ? { ...r, ...change } : r)));

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div className="grid grid-cols-2 gap-3">
        <TextField label={t("lastName")} name="last_name" defaultValue={contact?.last_name} error={errorText(errors.last_name)} />
        <TextField label={t("firstName")} name="first_name" defaultValue={contact?.first_name} error={errorText(errors.first_name)} />
      </div>
      <TextField label={t("company")} name="company" defaultValue={contact?.company} error={errorText(errors.company)} />
      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("numbers")}</legend>
        {numbers.length > 0 ? (
          <div aria-hidden className="flex gap-2 text-xs font-medium text-slate-500">
            <span className="w-36">{t("typeHeader")}</span>
            <span>{t("numberHeader")}</span>
          </div>
        ) : null}
        {numbers.map((row, index) => {
          const error = errorText(errors[`numbers.${sentIndex(row)}.number`]);
          return (
            <div key={row.key}>
              <div className="flex items-center gap-2">
                <label htmlFor={`number-type-${row.key}`} className="sr-only">
                  {t("numberTypeLabel", { index: index + 1 })}
                </label>
                <select
                  id={`number-type-${row.key}`}
                  value={row.type}
                  onChange={(e) => update(row.key, { type: e.target.value as ContactNumberType })}
                  className="block w-36 shrink-0 rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-500"
                >
                  {contactNumberTypes.map((type) => (
                    <option key={type} value={type}>
                      {t(`numberType.${type}`)}
                    </option>
                  ))}
                </select>
                <label htmlFor={`number-${row.key}`} className="sr-only">
                  {t("numberLabel", { index: index + 1 })}
                </label>
                <input
                  id={`number-${row.key}`}
                  type="tel"
                  value={row.number}
                  onChange={(e) => update(row.key, { number: e.target.value })}
                  aria-invalid={Boolean(error)}
                  aria-describedby={error ? `number-${row.key}-error` : undefined}
                  className="block min-w-0 flex-1 rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-500 aria-[invalid=true]:ring-red-500"
                />
                <button
                  type="button"
                  onClick={() => setNumbers((rows) => rows.filter((r) => r.key !== row.key))}
                  aria-label={t("removeNumber", { index: index + 1 })}
                  className="rounded-md p-2 text-slate-500 hover:bg-red-50 hover:text-red-600"
                >
                  <X aria-hidden className="h-4 w-4" />
                </button>
              </div>
              {error ? (
                <p id={`number-${row.key}-error`} role="alert" className="mt-1 text-sm text-red-600">
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
        {numbers.length < maxNumbersPerContact ? (
          <Button variant="secondary" onClick={() => setNumbers((rows) => [...rows, numberRow("work")])}>
            <Plus aria-hidden className="h-4 w-4" />
            {t("addNumber")}
          </Button>
        ) : null}
        <p className="text-xs text-slate-500">{t("numbersHint")}</p>
      </fieldset>
      <TextField label={t("email")} name="email" type="email" defaultValue={contact?.email} error={errorText(errors.email)} />
      <TextField
        label={t("externalId")}
        name="external_id"
        defaultValue={contact?.external_id ?? ""}
        hint={t("externalIdHint")}
        error={errorText(errors.external_id)}
      />
      <NotesField label={t("notes")} defaultValue={contact?.notes} error={errorText(errors.notes)} />
      <FormError message={errorText(errors._form)} />
      <FormActions pending={pending} onCancel={onClose} />
    </form>
  );
}

function NotesField({ label, defaultValue, error }: { label: string; defaultValue?: string; error?: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor="contact-notes" className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id="contact-notes"
        name="notes"
        rows={3}
        defaultValue={defaultValue}
        aria-invalid={Boolean(error)}
        className="block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-500"
      />
      {error ? (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}
