import { AppError } from '../../src/errors.js';

/** The AppError a call is refused with; fails the test when the call succeeds or fails otherwise. */
export async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}
