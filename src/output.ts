/**
 * Atomic outputs (DESIGN.md §3): every output is written as `NAME.tmp-<random>` in its own directory,
 * fsynced, then renamed. On any error, or on Ctrl-C, the temps are removed and earlier outputs stay.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inputError } from './errors.js';

const pending = new Set<string>();
let handlersInstalled = false;

function installSignalCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const cleanup = (signal: NodeJS.Signals) => {
    removePendingTemps();
    process.kill(process.pid, signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, cleanup);
  process.once('exit', removePendingTemps);
}

/** Removes every temp file not yet committed. */
export function removePendingTemps(): void {
  for (const p of pending) fs.rmSync(p, { force: true });
  pending.clear();
}

export class AtomicOutput {
  /** Where bytes go until commit(). */
  readonly tempPath: string;
  private done = false;

  /** Refuses to overwrite `finalPath` unless `force`; the directory must exist. */
  constructor(
    readonly finalPath: string,
    options: { force?: boolean } = {},
  ) {
    const dir = path.dirname(path.resolve(finalPath));
    if (!fs.existsSync(dir)) throw inputError(`${finalPath}: directory ${dir} does not exist`, 'create it first');
    if (!options.force && fs.existsSync(finalPath)) {
      throw inputError(`${finalPath} already exists`, 'remove it or pass --force');
    }
    // The random part only names a temp file; it never reaches an output's bytes.
    this.tempPath = path.join(dir, `.${path.basename(finalPath)}.tmp-${randomBytes(4).toString('hex')}`);
    installSignalCleanup();
    pending.add(this.tempPath);
  }

  /** fsyncs the temp file and renames it over the final path. */
  commit(): void {
    if (this.done) return;
    const fd = fs.openSync(this.tempPath, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.tempPath, this.finalPath);
    pending.delete(this.tempPath);
    this.done = true;
  }

  /** Removes the temp file; the final path is left as it was. */
  abort(): void {
    if (this.done) return;
    fs.rmSync(this.tempPath, { force: true });
    pending.delete(this.tempPath);
    this.done = true;
  }
}

/** Runs `write(tempPath)` for each output, then commits all of them, or aborts all on error. */
export async function writeAtomically<T>(
  outputs: AtomicOutput[],
  write: () => Promise<T> | T,
): Promise<T> {
  try {
    const result = await write();
    for (const o of outputs) o.commit();
    return result;
  } catch (e) {
    for (const o of outputs) o.abort();
    throw e;
  }
}
