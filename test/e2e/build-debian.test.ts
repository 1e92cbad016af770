/**
 * Issue 7's headline, as a non-root user with subordinate ids:
 *   tsdib build -o img debian-minimal vm devuser openssh-server
 * gives a qcow2 that boots to `login:` in QEMU (SeaBIOS, TCG), where the dev user logs in on the serial
 * console; package-installs added the packages named; files of non-root groups kept their owners.
 * Needs network (mmdebstrap and apt inside the chroot); the mmdebstrap tarball is cached in DIB_IMAGE_CACHE.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootAndLogin, buildDebianAsUser, DEV_USER, debugfs, leftInBuildDir, ROOT_OFFSET, stat } from '../helpers/debian-build.js';
import { haveTools, runTool, type RunResult } from '../helpers/oracles.js';
import { nonRootUser, usernsWorks } from '../build/nonroot.js';

const BUILD_TIMEOUT = 1_800_000;

const user = nonRootUser();

describe.runIf(user !== undefined && usernsWorks(user, true) && haveTools('mmdebstrap', 'qemu-system-x86_64', 'qemu-img', 'debugfs', 'e2fsck', 'unshare', 'newuidmap'))(
  'tsdib build -o img debian-minimal vm devuser openssh-server, as a non-root user',
  () => {
    let dir: string;
    let built: RunResult;
    beforeAll(() => {
      ({ dir, result: built } = buildDebianAsUser(user!, { dirPrefix: 'tsdib-build-debian-', cacheName: 'image-create' }));
    }, BUILD_TIMEOUT);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('the build succeeds and cleans its build directory', () => {
      expect(built.status, built.stderr.slice(-4000)).toBe(0);
      expect(built.stdout).toContain('user namespace with subordinate ids');
      expect(leftInBuildDir(dir)).toEqual(['img.log', 'img.qcow2', 'img.raw']);
    });

    test('e2fsck finds the root filesystem clean', () => {
      const r = runTool('e2fsck', ['-fn', `${join(dir, 'img.raw')}?offset=${ROOT_OFFSET}`]);
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
      expect(stat(raw, `/home/${DEV_USER}`)).toMatchObject({ uid: 1000, gid: 1000 });
      expect(stat(raw, '/usr/bin/passwd')).toMatchObject({ uid: 0, gid: 0, mode: 0o4755 });
      expect(stat(raw, '/var/mail')).toMatchObject({ uid: 0, gid: 8, mode: 0o2775 }); // group mail, setgid
      expect(debugfs(raw, `cat /etc/sudoers.d/${DEV_USER}`)).toContain('NOPASSWD:ALL');
    });

    test('boots to login: and the dev user logs in on the serial console', { timeout: 900_000 }, async () => {
      const r = await bootAndLogin(join(dir, 'img.qcow2'), 'build-debian-login', 600_000);
      expect(r.ok, `login failed; log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
    });
  },
);
