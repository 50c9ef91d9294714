import { ServiceError } from "@/server/services/errors";

/** The ServiceError `action` throws; any other outcome fails the test. */
export function serviceError(action: () => unknown): ServiceError {
  try {
    action();
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
  throw new Error("expected a ServiceError");
}

export async function serviceErrorAsync(action: () => Promise<unknown>): Promise<ServiceError> {
  const error = await action().then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof ServiceError) return error;
  throw new Error(`expected a ServiceError, got ${String(error)}`);
}
