/** The TsdibError a call throws (or a promise rejects with); the test fails if there is none or it is another kind. */
import { expect } from 'vitest';
import { TsdibError } from '../../src/errors.js';

export function error(fn: () => unknown): TsdibError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    return e as TsdibError;
  }
  throw new Error('expected a TsdibError');
}

export async function rejection(p: Promise<unknown>): Promise<TsdibError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    return e as TsdibError;
  }
  throw new Error('expected a TsdibError');
}
