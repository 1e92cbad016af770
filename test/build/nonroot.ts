/**
 * Running `tsdib build` as a NON-root user, as users do. When the tests run as root (CI), a user
 * `tsdibtest` is created with subordinate uid/gid ranges and commands run through `runuser -u tsdibtest --`.
 * `nonRootUser()` returns undefined (with a visible SKIPPED message, or a failing test under
 * TSDIB_REQUIRE_ORACLES=1) when that is impossible.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { test } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { findTool, oraclesRequired, type RunResult } from '../helpers/oracles.js';

export const TEST_USER = 'tsdibtest';
const SUBID_START = 300000;
const SUBID_COUNT = 65536;

export interface NonRootUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Runs the built CLI as this user. */
  tsdib(args: string[], options?: { cwd?: string; env?: Record<string, string> }): RunResult;
  /** argv that runs the built CLI as this user (for spawn). */
  argv(args: string[], env?: Record<string, string>): string[];
  /** Makes a directory usable by this user. */
  own(dir: string): void;
}

function sh(argv: string[]): RunResult {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? r.error ?? '') };
}

function ensureUser(): { uid: number; gid: number } | string {
  if (sh(['id', '-u', TEST_USER]).status !== 0) {
    const r = sh(['useradd', '-m', TEST_USER]);
    if (r.status !== 0) return `useradd ${TEST_USER} failed: ${r.stderr.trim()}`;
  }
  for (const [file, flag] of [['/etc/subuid', '--add-subuids'], ['/etc/subgid', '--add-subgids']] as const) {
    const has = sh(['grep', '-q', `^${TEST_USER}:`, file]).status === 0;
    if (!has) {
      const r = sh(['usermod', flag, `${SUBID_START}-${SUBID_START + SUBID_COUNT - 1}`, TEST_USER]);
      if (r.status !== 0) return `usermod ${flag} failed: ${r.stderr.trim()}`;
    }
  }
  return { uid: Number(sh(['id', '-u', TEST_USER]).stdout.trim()), gid: Number(sh(['id', '-g', TEST_USER]).stdout.trim()) };
}

function unavailable(why: string): undefined {
  const message = `non-root build tests need ${why}`;
  if (oraclesRequired) {
    test(`non-root user available for build tests`, () => {
      throw new Error(`${message}; TSDIB_REQUIRE_ORACLES=1 forbids skipping`);
    });
  } else {
    console.warn(`SKIPPED: ${message}`);
  }
  return undefined;
}

const PASS_ENV = ['PATH', 'SOURCE_DATE_EPOCH', 'TSDIB_TEST_CACHE', 'LANG'];

/** The non-root user for build tests, or undefined (skipped or failing, see above). */
export function nonRootUser(): NonRootUser | undefined {
  const me = process.getuid?.() ?? -1;
  if (me !== 0) {
    return {
      name: String(me),
      uid: me,
      gid: process.getgid?.() ?? me,
      tsdib: (args, options = {}) => {
        const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
        return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      },
      own: () => {},
      argv: (args, env = {}) => ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, ...args],
    };
  }
  if (!findTool('runuser') || !findTool('useradd')) return unavailable('runuser and useradd (util-linux, passwd)');
  const user = ensureUser();
  if (typeof user === 'string') return unavailable(user);
  const argv = (args: string[], extra: Record<string, string> = {}): string[] => {
    const env = Object.entries({ ...Object.fromEntries(PASS_ENV.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : []))), HOME: `/home/${TEST_USER}`, ...extra }).map(([k, v]) => `${k}=${v}`);
    return ['runuser', '-u', TEST_USER, '--', 'env', '-i', ...env, process.execPath, CLI, ...args];
  };
  return {
    name: TEST_USER,
    ...user,
    argv,
    tsdib: (args, options = {}) => {
      const full = argv(args, options.env);
      const r = spawnSync(full[0]!, full.slice(1), {
        cwd: options.cwd,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    own: (dir) => {
      chownSync(dir, user.uid, user.gid);
      chmodSync(dir, 0o755);
    },
  };
}

/** Whether this user can make a user namespace (with --map-auto when `full`). */
export function usernsWorks(user: NonRootUser, full: boolean): boolean {
  const probe = ['unshare', ...(full ? ['--map-auto'] : []), '--map-root-user', '--mount', '--pid', '--fork', 'true'];
  const r = process.getuid?.() === 0 ? sh(['runuser', '-u', user.name, '--', ...probe]) : sh(probe);
  return r.status === 0;
}
