import { ServiceError } from "@/server/services/errors";

/** The ServiceError `action` throws or rejects with; any other outcome fails the test. */
export async function serviceError(action: () => unknown): Promise<ServiceError> {
  let error: unknown = null;
  try {
    await action();
  } catch (caught) {
    error = caught;
  }
  if (error instanceof ServiceError) return error;
  if (error) throw error;
  throw new Error("expected a ServiceError");
}
