/**
 * What the two end-to-end Debian builds share (test/e2e/build-debian.test.ts, under a user namespace, and
 * test/e2e/build-debian-proot.test.ts, under proot): the `tsdib build ... debian-minimal vm devuser
 * openssh-server` run as the non-root test user, the debugfs reads of its raw image, and the serial-console
 * login of its dev user in QEMU. Each test keeps its own assertions; only the machinery is here.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { NonRootUser } from '../build/nonroot.js';
import { findTool, runTool, type RunResult } from './oracles.js';
import { BOOT_LOG_DIR, qemuArgs } from './qemu.js';

/** The dev user the devuser element creates (DIB_DEV_USER_USERNAME / _PASSWORD); uid 1000. */
export const DEV_USER = 'tsdev';
export const DEV_PASSWORD = 'tsdib-secret-7';
/** The root filesystem partition of the MBR layout starts at 1 MiB. */
export const ROOT_OFFSET = 1048576;
/** The elements of issue 7's headline build. */
const ELEMENTS = ['debian-minimal', 'vm', 'devuser', 'openssh-server'];

export interface DebianBuild {
  /** The build's working directory (owned by the test user): img.qcow2, img.raw, img.log. */
  readonly dir: string;
  readonly result: RunResult;
}

/**
 * Runs `tsdib build -o img [extraArgs] -t qcow2,raw debian-minimal vm devuser openssh-server` as `user` in a
 * fresh directory. `cacheName` names the DIB_IMAGE_CACHE folder (the mmdebstrap tarball is kept there across
 * runs, under TSDIB_TEST_CACHE when set, else in the user's ~/.cache); `env` adds to the build's environment.
 */
export function buildDebianAsUser(
  user: NonRootUser,
  options: { dirPrefix: string; cacheName: string; extraArgs?: string[]; env?: Record<string, string> },
): DebianBuild {
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  user.own(dir);
  const cacheRoot = process.env['TSDIB_TEST_CACHE'] ?? `/home/${user.name}/.cache`;
  const result = user.tsdib(['build', '-o', 'img', ...(options.extraArgs ?? []), '-t', 'qcow2,raw', ...ELEMENTS], {
    cwd: dir,
    env: {
      SOURCE_DATE_EPOCH: '1700000000',
      DIB_DEV_USER_USERNAME: DEV_USER,
      DIB_DEV_USER_PASSWORD: DEV_PASSWORD,
      DIB_DEV_USER_PWDLESS_SUDO: '1',
      DIB_IMAGE_CACHE: join(cacheRoot, options.cacheName),
      TMP_DIR: dir,
      ...options.env,
    },
  });
  return { dir, result };
}

/** What the build left in its directory, sorted (a clean build leaves only its outputs and log). */
export function leftInBuildDir(dir: string): string[] {
  return runTool('ls', ['-A', dir]).stdout.trim().split('\n').sort();
}

/** Runs one debugfs request against the root filesystem of the raw `image`; its stdout. */
export function debugfs(image: string, request: string): string {
  const r: RunResult = runTool('debugfs', ['-R', request, `${image}?offset=${ROOT_OFFSET}`]);
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Owner and mode of `path` in the raw `image`, as debugfs reports them. */
export function stat(image: string, path: string): { uid: number; gid: number; mode: number } {
  const text = debugfs(image, `stat ${path}`);
  const owner = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(text);
  const mode = /Mode:\s+(\d+)/.exec(text);
  if (!owner || !mode) throw new Error(`debugfs stat ${path}: ${text}`);
  return { uid: Number(owner[1]), gid: Number(owner[2]), mode: parseInt(mode[1]!, 8) };
}

/** Boots the qcow2 `disk` and logs in as DEV_USER on the serial console; resolves with the console log. */
export function bootAndLogin(disk: string, name: string, timeoutMs: number): Promise<{ ok: boolean; log: string; logPath: string }> {
  const qemu = findTool('qemu-system-x86_64')!;
  const args = qemuArgs({ name, disk: { path: disk, format: 'qcow2', interface: 'virtio' }, expect: /x/, memoryMiB: 1024 });
  const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  mkdirSync(BOOT_LOG_DIR, { recursive: true });
  const logPath = join(BOOT_LOG_DIR, `${name}.log`);
  let log = '';
  // Each step: wait for a pattern after the previous step's match, then type a line.
  const steps: { wait: RegExp; send?: string }[] = [
    { wait: /login: $/m, send: `${DEV_USER}\n` },
    { wait: /Password: ?$/m, send: `${DEV_PASSWORD}\n` },
    { wait: /\$ $/m, send: 'echo "who=$(id -un):$(id -u) sum=$((6*7))"\n' },
    { wait: new RegExp(`who=${DEV_USER}:1000 sum=42`) },
  ];
  let step = 0;
  let from = 0;
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      writeFileSync(logPath, log);
      resolve({ ok, log, logPath });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const advance = () => {
      while (step < steps.length) {
        const s = steps[step]!;
        const m = s.wait.exec(log.slice(from));
        if (!m) return;
        from += m.index + m[0].length;
        if (s.send) child.stdin.write(s.send);
        step++;
      }
      finish(true);
    };
    child.stdout.on('data', (c: Buffer) => {
      log += c.toString('latin1');
      advance();
    });
    child.stderr.on('data', (c: Buffer) => (log += c.toString('latin1')));
    child.on('exit', () => finish(step >= steps.length));
  });
}
