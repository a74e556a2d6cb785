import { LocalRuntimeError } from '../../local/errors.ts';

/** The LocalRuntimeError a promise rejects with; any other outcome fails the test. */
export async function localRuntimeErrorOf(promise: Promise<unknown>): Promise<LocalRuntimeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LocalRuntimeError) return error;
    throw error;
  }
  throw new Error('expected a LocalRuntimeError');
}
