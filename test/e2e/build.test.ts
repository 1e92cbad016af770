/**
 * `tsdib build` end to end, as a non-root user: the shipped demo element (no network, no chroot needed)
 * and a test element whose scripts run inside the chroot. Checked by e2fsck, debugfs, sfdisk, qemu-img.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { haveTools, oraclesRequired, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { nonRootUser, usernsWorks } from '../build/nonroot.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/build/elements', import.meta.url));
const DIB_ELEMENTS = '/usr/lib/python3/dist-packages/diskimage_builder/elements';
const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };

/** The root partition (first one) of a raw image, copied out for e2fsck/debugfs (images here are small). */
function firstPartition(raw: string, dir: string): string {
  const dump = runTool('sfdisk', ['-J', raw]);
  expect(dump.status).toBe(0);
  const part = JSON.parse(dump.stdout).partitiontable.partitions[0] as { start: number; size: number };
  const out = join(dir, 'p1.img');
  const r = spawnSync('dd', [`if=${raw}`, `of=${out}`, 'bs=512', `skip=${part.start}`, `count=${part.size}`, 'status=none']);
  expect(r.status).toBe(0);
  return out;
}

function debugfs(fs: string, request: string): string {
  const r = runTool('debugfs', ['-R', request, fs]);
  expect(r.status).toBe(0);
  return r.stdout;
}

function owner(fs: string, path: string): { uid: number; gid: number; mode: number; links: number } {
  const text = debugfs(fs, `stat ${path}`);
  const m = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(text);
  const mode = /Mode:\s+(\d+)/.exec(text);
  const links = /Links:\s+(\d+)/.exec(text);
  if (!m || !mode || !links) throw new Error(`debugfs stat ${path}: ${text}`);
  return { uid: Number(m[1]), gid: Number(m[2]), mode: parseInt(mode[1]!, 8), links: Number(links[1]) };
}

function e2fsckClean(fs: string): void {
  const r = runTool('e2fsck', ['-fn', fs]);
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

/**
 * The pid of the tsdib (node) process itself: the spawned pid, or, when the tests run as root, the child of
 * `runuser` (whose `env` exec'd node). Signals go to tsdib itself, as a terminal's Ctrl-C reaches it.
 */
function tsdibPid(pid: number): number {
  if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'runuser') return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  expect(children.length, 'runuser has one child: tsdib').toBe(1);
  return Number(children[0]);
}

const user = nonRootUser();

describe.runIf(user !== undefined && haveTools('e2fsck', 'debugfs', 'sfdisk', 'qemu-img', 'unshare', 'tar'))('tsdib build as a non-root user', () => {
  const tmp = useTmpDir();
  const u = user!;
  const fullMap = usernsWorks(u, true);
  if (!fullMap) {
    const why = `user ${u.name} cannot make a user namespace with subordinate ids (unshare --map-auto): check /etc/subuid, uidmap, user.max_user_namespaces`;
    if (oraclesRequired) test('user namespaces with subordinate ids available', () => expect.fail(`${why}; TSDIB_REQUIRE_ORACLES=1 forbids skipping`));
    else console.warn(`SKIPPED: ${why}`);
  }

  test('demo: raw and qcow2, e2fsck clean, the files present, the same image twice', () => {
    const dir = tmp();
    u.own(dir);
    const r = u.tsdib(['build', '-o', 'demo', '-t', 'raw,qcow2', '--seed', 'e2e', 'demo'], { cwd: dir, env: EPOCH });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('elements: base demo package-installs pkg-map');
    expect(readdirSync(dir).sort()).toEqual(['demo.log', 'demo.qcow2', 'demo.raw']);
    expect(runTool('qemu-img', ['compare', join(dir, 'demo.raw'), join(dir, 'demo.qcow2')]).status).toBe(0);
    expect(JSON.parse(runTool('qemu-img', ['info', '--output=json', join(dir, 'demo.qcow2')]).stdout).format).toBe('qcow2');
    const fs = firstPartition(join(dir, 'demo.raw'), dir);
    e2fsckClean(fs);
    expect(debugfs(fs, 'cat /etc/hostname').trim()).toBe('demo');
    expect(debugfs(fs, 'cat /sbin/init')).toContain('TSDIB-DEMO-OK');
    expect(debugfs(fs, 'cat /etc/motd')).toContain('Built by tsdib for demo');
    expect(owner(fs, '/sbin/init').mode & 0o777).toBe(0o755);
    expect(owner(fs, '/tmp').mode & 0o7777).toBe(0o1777);
    // With subordinate ids, root.d's chown inside the namespace is real.
    if (fullMap) expect(owner(fs, '/home/demo/hello.txt')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(readFileSync(join(dir, 'demo.log'), 'utf8')).toContain('root.d demo/10-demo-tree');

    // Same elements, seed and SOURCE_DATE_EPOCH: the same bytes (file times are clamped when packing).
    const again = join(dir, 'again');
    mkdirSync(again);
    u.own(again);
    const r2 = u.tsdib(['build', '-o', 'demo', '-t', 'raw', '--seed', 'e2e', 'demo'], { cwd: again, env: EPOCH });
    expect(r2.status, r2.stderr).toBe(0);
    expect(runTool('cmp', [join(dir, 'demo.raw'), join(again, 'demo.raw')]).status).toBe(0);
  });

  test('demo with --chroot none: no namespace, every file root-owned', () => {
    const dir = tmp();
    u.own(dir);
    const r = u.tsdib(['build', '-o', 'demo', '-t', 'raw', '--chroot', 'none', 'demo'], { cwd: dir, env: EPOCH });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('none (');
    const fs = firstPartition(join(dir, 'demo.raw'), dir);
    e2fsckClean(fs);
    expect(owner(fs, '/home/demo/hello.txt')).toMatchObject({ uid: 0, gid: 0 });
  });

  describe.runIf(fullMap)('chroot phases in a user namespace with subordinate ids', () => {
    test('scripts run as root in the chroot; owners, setuid, setgid dirs and hard links are kept', () => {
      const dir = tmp();
      u.own(dir);
      const r = u.tsdib(['build', '-o', 'mini', '-t', 'raw', '--image-size', '64MiB', '--elements-path', FIXTURES, '--chroot', 'userns', 'mini-chroot'], {
        cwd: dir,
        env: { ...EPOCH, DIB_RELEASE: 'r1', TMP_DIR: dir },
      });
      expect(r.status, r.stderr).toBe(0);
      // The build directory (with files owned by mapped ids) was removed.
      expect(readdirSync(dir).sort()).toEqual(['mini.log', 'mini.raw']);
      expect(r.stdout).toContain('user namespace with subordinate ids');
      const fs = firstPartition(join(dir, 'mini.raw'), dir);
      e2fsckClean(fs);
      const inside = debugfs(fs, 'cat /root/inside.txt');
      expect(inside).toContain('uid=0\n');
      expect(inside).toContain('hooks=/tmp/in_target.d\n');
      expect(inside).toContain('env=yes-r1\n');
      expect(inside).toContain('image=mini\n');
      expect(inside).toContain('self=/tmp/in_target.d/install.d/50-inside\n');
      expect(inside).toContain('proc=cat\n');
      expect(inside).toContain('devnull=char\n');
      expect(owner(fs, '/home/alice/file')).toMatchObject({ uid: 1234, gid: 2345, links: 2 });
      expect(owner(fs, '/root/hardlink')).toMatchObject({ uid: 1234, gid: 2345, links: 2 });
      expect(owner(fs, '/bin/suid-thing')).toMatchObject({ uid: 0, gid: 0, mode: 0o4755 });
      expect(owner(fs, '/var/log/app')).toMatchObject({ uid: 0, gid: 4, mode: 0o2750 });
      // The hooks are not left in the image, and the build directory is gone.
      expect(debugfs(fs, 'ls /tmp')).not.toContain('in_target.d');
    });

    test('a failing script stops the build naming element, phase and script, with its output; nothing is left behind', () => {
      const dir = tmp();
      u.own(dir);
      const r = u.tsdib(['build', '-o', 'bad', '-t', 'raw', '--elements-path', FIXTURES, 'mini-chroot', 'failing'], { cwd: dir, env: { ...EPOCH, TMP_DIR: dir } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('element failing: script install.d/20-fails failed in phase install.d (exit 3)');
      expect(r.stderr).toContain('marker-7f3a');
      expect(r.stderr).toContain('on stderr too');
      expect(readdirSync(dir).sort()).toEqual(['bad.log']);
      expect(readFileSync(join(dir, 'bad.log'), 'utf8')).toContain('about to fail: marker-7f3a');
    });
  });

  if (!existsSync(DIB_ELEMENTS)) {
    if (oraclesRequired) test('python3-diskimage-builder installed', () => expect.fail(`${DIB_ELEMENTS} missing; TSDIB_REQUIRE_ORACLES=1 forbids skipping`));
    else console.warn(`SKIPPED: DIB's elements (python3-diskimage-builder) are not installed`);
  }
  describe.runIf(fullMap && existsSync(DIB_ELEMENTS))('elements of DIB itself, unmodified (python3-diskimage-builder)', () => {
    test('manifests and install-bin from DIB run on our elements path', () => {
      const dir = tmp();
      u.own(dir);
      // Only these two of DIB's elements come first on the path; the rest are ours and the fixtures.
      const dib = join(dir, 'dib');
      mkdirSync(dib);
      for (const e of ['manifests', 'install-bin']) symlinkSync(join(DIB_ELEMENTS, e), join(dib, e));
      const r = u.tsdib(['build', '-o', 'withdib', '-t', 'raw', '--image-size', '64MiB', '--elements-path', `${dib}:${FIXTURES}`, 'mini-chroot', 'with-bin', 'manifests', 'install-bin'], {
        cwd: dir,
        env: { ...EPOCH, DIB_MANIFEST_IMAGE_DIR: '/etc/dib-manifests', DIB_SOMETHING: 'recorded' },
      });
      expect(r.status, r.stderr + readFileSync(join(dir, 'withdib.log'), 'utf8').slice(-3000)).toBe(0);
      const fs = firstPartition(join(dir, 'withdib.raw'), dir);
      e2fsckClean(fs);
      // install-bin (pre-install.d, in the chroot): bin/* → /usr/local/bin, 0755 root.
      expect(owner(fs, '/usr/local/bin/hello-tsdib')).toMatchObject({ uid: 0, gid: 0, mode: 0o755 });
      // manifests: extra-data.d made the directory with sudo; cleanup.d recorded DIB_ENV and copied it out.
      expect(debugfs(fs, 'cat /etc/dib-manifests/dib_environment')).toContain('DIB_SOMETHING="recorded"');
      expect(owner(fs, '/etc/dib-manifests/dib_environment')).toMatchObject({ uid: 0, gid: 0, mode: 0o600 });
      expect(readFileSync(join(dir, 'withdib.d', 'dib-manifests', 'dib_arguments'), 'utf8')).toContain('mini-chroot with-bin manifests install-bin');
    });
  });

  // Ctrl-C is SIGINT; a service manager or `kill` sends SIGTERM. Both must leave nothing behind but the log.
  for (const [signal, number] of [['SIGTERM', 15], ['SIGINT', 2]] as const) {
    test(`${signal} during a phase removes the build directory (files of mapped ids too), leaves no output, and dies of ${signal}`, async () => {
      const dir = tmp();
      u.own(dir);
      const argv = u.argv(['build', '-o', 'slow', '--elements-path', FIXTURES, 'slow'], { TMP_DIR: dir });
      const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
      await new Promise<void>((resolve) => {
        const look = (c: Buffer) => {
          err += c.toString();
          if (err.includes('root.d slow/50-slow')) resolve();
        };
        child.stderr.on('data', look);
        child.stdout.on('data', look);
      });
      // The log shows the script got as far as its sleep: the mapped-id directory exists.
      await new Promise<void>((resolve) => {
        const check = () => (readFileSync(join(dir, 'slow.log'), 'utf8').includes('slow: waiting') ? resolve() : setTimeout(check, 50));
        check();
      });
      expect(readdirSync(dir).some((n) => n.startsWith('tsdib-build-'))).toBe(true);
      process.kill(tsdibPid(child.pid!), signal);
      const end = await exited;
      // Directly (non-root run) the process dies of the signal; through runuser (root run) that shows as 128+n.
      expect(end.signal === signal || end.code === 128 + number, JSON.stringify(end)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['slow.log']);
    });
  }

  test('--chroot none refuses elements with chroot-phase scripts, naming them and what to enable', () => {
    const dir = tmp();
    u.own(dir);
    const r = u.tsdib(['build', '-o', 'mini', '--elements-path', FIXTURES, '--chroot', 'none', 'mini-chroot'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('mini-chroot/install.d/50-inside');
    expect(r.stderr).toContain('/etc/subuid');
    expect(existsSync(join(dir, 'mini.qcow2'))).toBe(false);
  });

  describe.runIf(haveTools('proot'))('proot where user namespaces are refused', () => {
    test('--chroot auto falls back to proot (TSDIB_NO_USERNS=1) and chroot scripts run as fake root', () => {
      const dir = tmp();
      u.own(dir);
      const r = u.tsdib(['build', '-o', 'mini', '-t', 'raw', '--image-size', '64MiB', '--elements-path', FIXTURES, 'mini-chroot'], {
        cwd: dir,
        env: { ...EPOCH, TSDIB_NO_USERNS: '1', TMP_DIR: dir },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('proot (');
      expect(readdirSync(dir).sort()).toEqual(['mini.log', 'mini.raw']);
      const fs = firstPartition(join(dir, 'mini.raw'), dir);
      e2fsckClean(fs);
      const inside = debugfs(fs, 'cat /root/inside.txt');
      expect(inside).toContain('uid=0\n');
      expect(inside).toContain('hooks=/tmp/in_target.d\n');
      expect(inside).toContain('proc=cat\n');
      expect(inside).toContain('devnull=char\n');
      // proot fakes chown without keeping it: files are packed as root's, modes and links are kept.
      expect(owner(fs, '/home/alice/file')).toMatchObject({ uid: 0, gid: 0, links: 2 });
      expect(owner(fs, '/bin/suid-thing').mode).toBe(0o4755);
    });

    test('--chroot userns with user namespaces refused is an error saying what to enable', () => {
      const dir = tmp();
      u.own(dir);
      const r = u.tsdib(['build', '-o', 'demo', '--chroot', 'userns', 'demo'], { cwd: dir, env: { TSDIB_NO_USERNS: '1' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('user namespaces are not available');
      expect(r.stderr).toContain('install proot');
    });
  });
});
