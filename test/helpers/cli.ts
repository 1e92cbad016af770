/** Runs the built CLI (dist/) as a user would, capturing exit code and output. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunResult } from './oracles.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export function tsdib(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
