/**
 * Issue 7's headline build where user namespaces are refused (TSDIB_NO_USERNS=1), as a non-root user:
 *   tsdib build -o img --chroot proot debian-minimal vm devuser openssh-server
 * Under proot 5.1 this used to fail twice: proot aborted in systemd's post-install (systemd-tmpfiles; see
 * PROOT_TMPFILES_SHIM in src/build/executor.ts), then openssh-server's post-install (ucf, stat) saw the host's
 * files through the untranslated faccessat2 and statx (see PROOT_SECCOMP_LAUNCHER). proot keeps no owners, so
 * every file is root's; the test checks what proot can give, with tools nobody here wrote (qemu-img, e2fsck,
 * debugfs, a boot in QEMU): a clean filesystem holding the packages and the dev user, setuid bits kept, no
 * trace of the stand-ins, and a system that starts sshd and lets the dev user log in.
 * Nothing here uses a user namespace: under --chroot proot debian-minimal makes its tarball with `mmdebstrap
 * --mode=fakechroot` (fakechroot + fakeroot), in a cache of its own (the userns build's tarball is not reused).
 * Needs network (mmdebstrap, and apt inside the chroot).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootAndLogin, buildDebianAsUser, DEV_USER, debugfs, leftInBuildDir, ROOT_OFFSET, stat } from '../helpers/debian-build.js';
import { haveTools, runTool, type RunResult } from '../helpers/oracles.js';
import { nonRootUser } from '../build/nonroot.js';

const BUILD_TIMEOUT = 2_400_000;

const user = nonRootUser();

describe.runIf(user !== undefined && haveTools('proot', 'perl', 'mmdebstrap', 'fakechroot', 'fakeroot', 'qemu-img', 'debugfs', 'e2fsck', 'qemu-system-x86_64'))(
  'tsdib build --chroot proot debian-minimal vm devuser openssh-server, user namespaces disabled',
  () => {
    let dir: string;
    let built: RunResult;
    beforeAll(() => {
      ({ dir, result: built } = buildDebianAsUser(user!, {
        dirPrefix: 'tsdib-build-debian-proot-',
        cacheName: 'image-create-proot',
        extraArgs: ['--chroot', 'proot'],
        env: { TSDIB_NO_USERNS: '1' },
      }));
    }, BUILD_TIMEOUT);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('the build succeeds under proot, with its seccomp filter (no WARNING), and cleans its build directory', () => {
      expect(built.status, built.stderr.slice(-4000)).toBe(0);
      expect(built.stdout + built.stderr).toContain('chroot: proot (');
      expect(built.stdout + built.stderr).not.toContain('WARNING');
      expect(built.stderr + built.stdout).not.toContain('compare_paths2');
      expect(leftInBuildDir(dir)).toEqual(['img.log', 'img.qcow2', 'img.raw']);
    });

    test('qemu-img checks the qcow2, and e2fsck finds the root filesystem clean', () => {
      expect(runTool('qemu-img', ['check', join(dir, 'img.qcow2')]).status).toBe(0);
      const r = runTool('e2fsck', ['-fn', `${join(dir, 'img.raw')}?offset=${ROOT_OFFSET}`]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });

    test('package-installs installed the packages named (dpkg status in the image)', () => {
      const status = debugfs(join(dir, 'img.raw'), 'cat /var/lib/dpkg/status');
      for (const pkg of ['systemd', 'openssh-server', 'sudo', 'linux-image-amd64', 'systemd-sysv', 'ifupdown']) {
        expect(status, pkg).toMatch(new RegExp(`Package: ${pkg}\\nStatus: install ok installed`));
      }
      expect(stat(join(dir, 'img.raw'), '/usr/sbin/sshd').mode).toBe(0o755);
    });

    test('ucf registered sshd_config (the post-install that faccessat2 and statx broke ran to its end)', () => {
      const raw = join(dir, 'img.raw');
      expect(debugfs(raw, 'cat /var/lib/ucf/hashfile')).toMatch(/^[0-9a-f]{32}\s+\/etc\/ssh\/sshd_config$/m);
      expect(debugfs(raw, 'cat /etc/ssh/sshd_config')).toContain('Include /etc/ssh/sshd_config.d/*.conf');
    });

    test('the dev user exists; files are root\'s (proot keeps no owners) but setuid bits are kept; the stand-ins left nothing', () => {
      const raw = join(dir, 'img.raw');
      expect(debugfs(raw, 'cat /etc/passwd')).toMatch(new RegExp(`^${DEV_USER}:x:1000:1000:`, 'm'));
      expect(debugfs(raw, `cat /etc/sudoers.d/${DEV_USER}`)).toContain('NOPASSWD:ALL');
      expect(stat(raw, `/home/${DEV_USER}`)).toMatchObject({ uid: 0, gid: 0 });
      expect(stat(raw, '/usr/bin/passwd')).toEqual({ uid: 0, gid: 0, mode: 0o4755 });
      expect(stat(raw, '/usr/bin/systemd-tmpfiles').mode).toBe(0o755); // the real one, untouched
      expect(debugfs(raw, 'ls -l /usr/local/sbin')).not.toContain('systemd-tmpfiles');
      expect(debugfs(raw, 'ls -l /tmp')).not.toContain('in_target.d');
    });

    test('boots to login: sshd starts, and the dev user logs in on the serial console', { timeout: 900_000 }, async () => {
      const r = await bootAndLogin(join(dir, 'img.qcow2'), 'build-debian-proot-login', 600_000);
      expect(r.ok, `login failed; log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
      expect(r.log).toMatch(/Started \S*ssh\.service/);
    });
  },
);
