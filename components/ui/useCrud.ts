"use client";
import { useState } from "react";
import type { ZodType } from "zod";
import { fieldErrorsFromServer, fieldErrorsFromZod, type FieldErrors } from "./formErrors";

/**
 * The state every list page with a create/edit form and a delete confirmation
 * needs: which row is being edited or deleted, field errors, and a submit that
 * validates with the shared zod schema before calling the server.
 */
export function useCrud<Row, Values>({
  schemaFor,
  save,
  remove,
}: {
  /** The create and edit forms may validate differently (a password is required only on create). */
  schemaFor: (editing: Row | null) => ZodType<Values>;
  save: (values: Values, editing: Row | null) => Promise<unknown>;
  remove: (row: Row) => Promise<unknown>;
}) {
  const [editing, setEditing] = useState<Row | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<Row | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState(false);

  const run = async (action: () => Promise<unknown>, onDone: () => void) => {
    setPending(true);
    try {
      await action();
      onDone();
    } catch (error) {
      setErrors(fieldErrorsFromServer(error));
    } finally {
      setPending(false);
    }
  };

  return {
    editing,
    formOpen,
    deleting,
    errors,
    pending,
    openCreate: () => {
      setEditing(null);
      setErrors({});
      setFormOpen(true);
    },
    openEdit: (row: Row) => {
      setEditing(row);
      setErrors({});
      setFormOpen(true);
    },
    closeForm: () => setFormOpen(false),
    askDelete: (row: Row) => {
      setErrors({});
      setDeleting(row);
    },
    closeDelete: () => setDeleting(null),
    submit: async (raw: unknown) => {
      const parsed = schemaFor(editing).safeParse(raw);
      if (!parsed.success) return setErrors(fieldErrorsFromZod(parsed.error));
      setErrors({});
      await run(() => save(parsed.data, editing), () => setFormOpen(false));
    },
    confirmDelete: async () => {
      if (deleting) await run(() => remove(deleting), () => setDeleting(null));
    },
  };
}
