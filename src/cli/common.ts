/**
 * What every command shares: the edge where the clock, the RNG and the environment are read, and
 * the one place errors become exit codes and one-line messages.
 */
import { randomBytes } from 'node:crypto';
import type { Argv } from 'yargs';
import { EXIT_FAILURE, inputError, TsdibError } from '../errors.js';

export interface CommonArgs {
  quiet?: boolean;
  json?: boolean;
  seed?: string;
}

export function withQuiet<T>(y: Argv<T>) {
  return y.option('quiet', { alias: 'q', type: 'boolean', describe: 'No progress on stderr' });
}

export function withSeed<T>(y: Argv<T>) {
  return y.option('seed', {
    type: 'string',
    describe: 'Derive every UUID, GUID, serial and disk id from this string (with SOURCE_DATE_EPOCH: byte-identical output)',
  });
}

/** The seed the user gave, or a fresh random one: the only place tsdib reads the RNG for output bytes. */
export function resolveSeed(seed: string | undefined): string {
  return seed ?? randomBytes(16).toString('hex');
}

/** Seconds since the epoch for every timestamp tsdib writes: SOURCE_DATE_EPOCH if set, else now. */
export function resolveEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const text = env['SOURCE_DATE_EPOCH'];
  if (text === undefined || text === '') return Math.floor(Date.now() / 1000);
  if (!/^\d+$/.test(text)) throw inputError(`SOURCE_DATE_EPOCH="${text}" is not a whole number of seconds`, 'unset it or set it to e.g. 1700000000');
  return Number(text);
}

/** Runs a command body, turning errors into the CLI contract: one line on stderr and exit 1 or 2. */
export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    reportError(e);
  }
}

export function reportError(e: unknown): void {
  if (e instanceof TsdibError) {
    process.stderr.write(`tsdib: ${e.toLine()}\n`);
    process.exitCode = e.exitCode;
    return;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    // Operating-system errors about a file the user named are input errors.
    process.stderr.write(`tsdib: ${err.path}: ${err.message}\n`);
    process.exitCode = err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' ? 2 : EXIT_FAILURE;
    return;
  }
  process.stderr.write(`tsdib: internal error: ${err?.stack ?? String(e)}\n`);
  process.exitCode = EXIT_FAILURE;
}

/** A command registered but not built yet: it says so and exits 1. */
export function notBuiltYet(command: string, issue: number): () => void {
  return () => {
    process.stderr.write(`tsdib: '${command}' is not built yet (tracked in issue #${issue})\n`);
    process.exitCode = EXIT_FAILURE;
  };
}
