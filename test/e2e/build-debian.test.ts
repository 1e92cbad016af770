/**
 * Issue 7's headline, as a non-root user with subordinate ids:
 *   tsdib build -o img debian-minimal vm devuser openssh-server
 * gives a qcow2 that boots to `login:` in QEMU (SeaBIOS, TCG), where the dev user logs in on the serial
 * console; package-installs added the packages named; files of non-root groups kept their owners.
 * Needs network (mmdebstrap and apt inside the chroot); the mmdebstrap tarball is cached in DIB_IMAGE_CACHE.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTool, haveTools, runTool, type RunResult } from '../helpers/oracles.js';
import { BOOT_LOG_DIR, qemuArgs } from '../helpers/qemu.js';
import { nonRootUser, usernsWorks } from '../build/nonroot.js';

const USER = 'tsdev';
const PASSWORD = 'tsdib-secret-7';
const BUILD_TIMEOUT = 1_800_000;

/** Boots `disk` and logs in on the serial console; resolves with the console log. */
function bootAndLogin(disk: string, name: string, timeoutMs: number): Promise<{ ok: boolean; log: string; logPath: string }> {
  const qemu = findTool('qemu-system-x86_64')!;
  const args = qemuArgs({ name, disk: { path: disk, format: 'qcow2', interface: 'virtio' }, expect: /x/, memoryMiB: 1024 });
  const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  mkdirSync(BOOT_LOG_DIR, { recursive: true });
  const logPath = join(BOOT_LOG_DIR, `${name}.log`);
  let log = '';
  // Each step: wait for a pattern after the previous step's point, then type a line.
  const steps: { wait: RegExp; send?: string }[] = [
    { wait: /login: $/m, send: `${USER}\n` },
    { wait: /Password: ?$/m, send: `${PASSWORD}\n` },
    { wait: /\$ $/m, send: 'echo "who=$(id -un):$(id -u) sum=$((6*7))"\n' },
    { wait: new RegExp(`who=${USER}:1000 sum=42`) },
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

function debugfs(image: string, request: string): string {
  const r: RunResult = runTool('debugfs', ['-R', request, `${image}?offset=1048576`]);
  expect(r.status).toBe(0);
  return r.stdout;
}

function stat(image: string, path: string): { uid: number; gid: number; mode: number } {
  const text = debugfs(image, `stat ${path}`);
  const m = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(text);
  const mode = /Mode:\s+(\d+)/.exec(text);
  if (!m || !mode) throw new Error(`debugfs stat ${path}: ${text}`);
  return { uid: Number(m[1]), gid: Number(m[2]), mode: parseInt(mode[1]!, 8) };
}

const user = nonRootUser();

describe.runIf(user !== undefined && usernsWorks(user, true) && haveTools('mmdebstrap', 'qemu-system-x86_64', 'qemu-img', 'debugfs', 'e2fsck', 'unshare', 'newuidmap'))(
  'tsdib build -o img debian-minimal vm devuser openssh-server, as a non-root user',
  () => {
    let dir: string;
    let built: RunResult;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tsdib-build-debian-'));
      user!.own(dir);
      built = user!.tsdib(['build', '-o', 'img', '-t', 'qcow2,raw', 'debian-minimal', 'vm', 'devuser', 'openssh-server'], {
        cwd: dir,
        env: {
          SOURCE_DATE_EPOCH: '1700000000',
          DIB_DEV_USER_USERNAME: USER,
          DIB_DEV_USER_PASSWORD: PASSWORD,
          DIB_DEV_USER_PWDLESS_SUDO: '1',
          DIB_IMAGE_CACHE: process.env['TSDIB_TEST_CACHE'] ? join(process.env['TSDIB_TEST_CACHE'], 'image-create') : `/home/${user!.name}/.cache/image-create`,
          TMP_DIR: dir,
        },
      });
    }, BUILD_TIMEOUT);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('the build succeeds and cleans its build directory', () => {
      expect(built.status, built.stderr.slice(-4000)).toBe(0);
      expect(built.stdout).toContain('user namespace with subordinate ids');
      const left = runTool('ls', ['-A', dir]).stdout.trim().split('\n').sort();
      expect(left).toEqual(['img.log', 'img.qcow2', 'img.raw']);
    });

    test('e2fsck finds the root filesystem clean', () => {
      const r = runTool('e2fsck', ['-fn', `${join(dir, 'img.raw')}?offset=1048576`]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });

    test('package-installs installed the packages named (dpkg status in the image)', () => {
      const status = debugfs(join(dir, 'img.raw'), 'cat /var/lib/dpkg/status');
      for (const pkg of ['openssh-server', 'sudo', 'linux-image-amd64', 'systemd-sysv', 'ifupdown']) {
        expect(status, pkg).toMatch(new RegExp(`Package: ${pkg}\\nStatus: install ok installed`));
      }
    });

    test('owners of non-root users and groups, and setuid bits, are kept', () => {
      const raw = join(dir, 'img.raw');
      expect(stat(raw, '/etc/shadow')).toMatchObject({ uid: 0, gid: 42, mode: 0o640 }); // group shadow
      expect(stat(raw, `/home/${USER}`)).toMatchObject({ uid: 1000, gid: 1000 });
      expect(stat(raw, '/usr/bin/passwd')).toMatchObject({ uid: 0, gid: 0, mode: 0o4755 });
      expect(stat(raw, '/var/mail')).toMatchObject({ uid: 0, gid: 8, mode: 0o2775 }); // group mail, setgid
      expect(debugfs(raw, `cat /etc/sudoers.d/${USER}`)).toContain('NOPASSWD:ALL');
    });

    test('boots to login: and the dev user logs in on the serial console', { timeout: 900_000 }, async () => {
      const r = await bootAndLogin(join(dir, 'img.qcow2'), 'build-debian-login', 600_000);
      expect(r.ok, `login failed; log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
    });
  },
);
