/**
 * Independent oracles: tools nobody here wrote (e2fsck, sfdisk, qemu-img, ...). A test file asks for
 * them with `haveTools(...)`. When one is missing the tests are skipped with a visible message, and
 * when TSDIB_REQUIRE_ORACLES=1 (CI) a failing test is registered instead, so CI cannot pass silently.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { test } from 'vitest';

const cache = new Map<string, string | undefined>();

/** Absolute path of `tool` on PATH or in /sbin, /usr/sbin, or undefined. */
export function findTool(tool: string): string | undefined {
  if (cache.has(tool)) return cache.get(tool);
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { env: { ...process.env, PATH: path }, encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() || undefined : undefined;
  cache.set(tool, found);
  return found;
}

export const oraclesRequired = process.env['TSDIB_REQUIRE_ORACLES'] === '1';

/**
 * True when every tool is present. Otherwise prints which are missing and, under
 * TSDIB_REQUIRE_ORACLES=1, registers a failing test naming them. Use as `describe.runIf(haveTools(...))`.
 */
export function haveTools(...tools: string[]): boolean {
  const missing = tools.filter((t) => !findTool(t));
  if (missing.length === 0) return true;
  const message = `oracle(s) missing: ${missing.join(', ')} (install them: see .ci/run)`;
  if (oraclesRequired) {
    test(`required oracle(s) present: ${missing.join(', ')}`, () => {
      throw new Error(`${message}; TSDIB_REQUIRE_ORACLES=1 forbids skipping`);
    });
  } else {
    console.warn(`SKIPPED: ${message}`);
  }
  return false;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs an oracle (found by name, /usr/sbin included) and returns its status and output. */
export function runTool(tool: string, args: string[], options: SpawnSyncOptions = {}): RunResult {
  const path = findTool(tool);
  if (!path) throw new Error(`${tool} not found`);
  const r = spawnSync(path, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
