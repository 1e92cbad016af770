import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CHROOT_SETUP,
  faccessat2Launcher,
  prepareProotShims,
  probeProotLauncher,
  probeUserns,
  PROOT_FACCESSAT2_FILTER,
  prootArgv,
  selectExecutor,
  sudoShim,
} from '../../src/build/executor.js';
import { TsdibError } from '../../src/errors.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('chroot executors', () => {
  const tmp = useTmpDir();

  test('proot: a do-nothing systemd-tmpfiles comes first on PATH and on apt\'s DPkg::Path, from the hooks directory', () => {
    const hooks = tmp();
    const env = prepareProotShims(hooks, { PATH: '/usr/sbin:/usr/bin' });
    expect(env).toEqual({ PATH: '/tmp/in_target.d/.tsdib-proot:/usr/sbin:/usr/bin', APT_CONFIG: '/tmp/in_target.d/.tsdib-proot/apt.conf' });
    expect(readFileSync(join(hooks, '.tsdib-proot', 'apt.conf'), 'utf8')).toBe('DPkg::Path "/tmp/in_target.d/.tsdib-proot:/usr/sbin:/usr/bin:/sbin:/bin";\n');
    const shim = join(hooks, '.tsdib-proot', 'systemd-tmpfiles');
    expect(statSync(shim).mode & 0o777).toBe(0o755);
    const r = spawnSync(shim, ['--create', 'debian.conf'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('skipped systemd-tmpfiles --create debian.conf');
    // A user's own APT_CONFIG is left alone.
    expect(prepareProotShims(hooks, { PATH: '/bin', APT_CONFIG: '/etc/my.conf' })).toEqual({ PATH: '/tmp/in_target.d/.tsdib-proot:/bin' });
  });

  test('proot: binds only paths that exist in the image or the host (no placeholder files left in the image)', () => {
    const argv = prootArgv({ root: '/r', hooks: '/h' }, ['sh', '-c', 'true']);
    const binds = argv.flatMap((a, i) => (argv[i - 1] === '-b' ? [a] : []));
    expect(binds).toEqual(['/proc', '/dev', '/sys', '/h:/tmp/in_target.d', '/etc/resolv.conf']);
    expect(argv.slice(-3)).toEqual(['sh', '-c', 'true']);
  });

  test('proot runs behind the faccessat2 filter: perl with the prctl, seccomp and faccessat2 numbers of the arch', () => {
    const filter = (...numbers: string[]) => ['/usr/bin/perl', '-e', PROOT_FACCESSAT2_FILTER, '--', ...numbers];
    expect(faccessat2Launcher('x64', '/usr/bin/perl')).toEqual({ prefix: filter('157', '317', '439') });
    expect(faccessat2Launcher('arm64', '/usr/bin/perl')).toEqual({ prefix: filter('167', '277', '439') });
    const argv = prootArgv({ root: '/r', hooks: '/h' }, ['sh', '-c', 'true'], filter('157', '317', '439'));
    expect(argv.slice(0, 11)).toEqual([...filter('157', '317', '439'), 'proot', '-0', '-r', '/r']);
    expect(argv.slice(-3)).toEqual(['sh', '-c', 'true']);
  });

  test('without perl, or on an arch tsdib has no numbers for, proot runs bare and the executor says what that means', () => {
    const riscv = faccessat2Launcher('riscv64', '/usr/bin/perl');
    expect(riscv.prefix).toEqual([]);
    expect(riscv.warning).toMatch(/no faccessat2 filter for proot on riscv64.*test -r\/-w\/-x.*host paths/);
    const noPerl = faccessat2Launcher('x64', undefined);
    expect(noPerl.prefix).toEqual([]);
    expect(noPerl.warning).toMatch(/perl not found.*host paths/);
    expect(prootArgv({ root: '/r', hooks: '/h' }, ['true'], noPerl.prefix).slice(0, 2)).toEqual(['proot', '-0']);
  });

  test('the sudo shim drops sudo options and runs the command (none: as the caller)', () => {
    const dir = tmp();
    const shim = join(dir, 'sudo');
    writeFileSync(shim, sudoShim({ mode: 'none', hostPrefix: [] }));
    chmodSync(shim, 0o755);
    const r = spawnSync(shim, ['-E', '-H', '-u', 'root', '--', 'printf', '%s|', 'a b', '-c'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('a b|-c|');
  });

  test('the sudo shim of a namespace runs the command under its prefix, arguments quoted', () => {
    const text = sudoShim({ mode: 'userns', hostPrefix: ['unshare', '--map-auto', "it's"] });
    expect(text).toContain(`exec 'unshare' '--map-auto' 'it'\\''s' "$@"`);
    expect(spawnSync('sh', ['-n', '-c', text]).status).toBe(0);
  });

  test('the chroot setup script is valid sh', () => {
    expect(spawnSync('sh', ['-n', '-c', CHROOT_SETUP]).status).toBe(0);
  });

  test('TSDIB_NO_USERNS=1 makes user namespaces unavailable; --chroot userns then fails saying what to enable', () => {
    expect(probeUserns({ TSDIB_NO_USERNS: '1' })).toEqual({ reason: 'TSDIB_NO_USERNS=1 is set' });
    let error: unknown;
    try {
      selectExecutor('userns', { TSDIB_NO_USERNS: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TsdibError);
    expect((error as TsdibError).exitCode).toBe(1);
    expect((error as TsdibError).toLine()).toMatch(/subuid.*proot/);
  });

  test('--chroot none cannot chroot; an unknown mode is an input error', () => {
    const none = selectExecutor('none');
    expect(none.mode).toBe('none');
    expect(none.canChroot).toBe(false);
    expect(() => selectExecutor('chroot' as never)).toThrow(/unknown mode/);
  });
});

/**
 * The filter for real: the kernel answers faccessat2 with ENOSYS under it (and only it), through the sudo shim's
 * quoting too; and under our proot executor shell access tests see the image's files, not the host's. The
 * image is tiny: the host's /bin/sh and the libraries ldd lists, copied to the same paths.
 */
describe.runIf(haveTools('perl', 'ldd'))('the faccessat2 filter', () => {
  const tmp = useTmpDir();
  const launcher = probeProotLauncher();

  test('installs on this host: faccessat2 fails with ENOSYS (38), faccessat still works, the filter is inherited', () => {
    expect(launcher.warning).toBeUndefined();
    // syscall(2) from perl: faccessat2(AT_FDCWD, "/", F_OK, 0) and faccessat(AT_FDCWD, "/", F_OK).
    const faccessat = process.arch === 'arm64' ? 48 : 269;
    const probe = `my $p = "/"; $! = 0; my $a = syscall(439, -100, $p, 0, 0); my $e = $! + 0; my $b = syscall(${faccessat}, -100, $p, 0); print "$a $e $b"`;
    const dir = tmp();
    const shim = join(dir, 'sudo');
    writeFileSync(shim, sudoShim({ mode: 'proot', hostPrefix: launcher.prefix }));
    chmodSync(shim, 0o755);
    const filtered = runTool(shim, ['-E', 'sh', '-c', 'perl -e "$1"; grep ^Seccomp: /proc/self/status', 'sh', probe]);
    expect(filtered.stderr).toBe('');
    expect(filtered.stdout).toMatch(/^-1 38 0Seccomp:\s+2$/m);
    const bare = runTool('perl', ['-e', probe]);
    expect(bare.stdout).toBe('0 0 0');
  });

  describe.runIf(haveTools('proot'))('under proot', () => {
    function tinyRoot(): string {
      const root = join(tmp(), 'root');
      const sh = realpathSync('/bin/sh');
      const libs = [...runTool('ldd', [sh]).stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!);
      for (const [from, to] of [[sh, '/bin/sh'], ...libs.map((l) => [l, l])] as [string, string][]) {
        mkdirSync(join(root, dirname(to)), { recursive: true });
        copyFileSync(from, join(root, to));
        chmodSync(join(root, to), 0o755);
      }
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'only-in-guest'), 'guest\n');
      return root;
    }

    test('shell tests of access see the image: [ -w guest file ] true, [ -w /nonexistent ] and [ -r host-only file ] false', async () => {
      const root = tinyRoot();
      const hostOnly = join(dirname(root), 'host-only');
      writeFileSync(hostOnly, 'host\n');
      const executor = selectExecutor('proot', { TSDIB_NO_USERNS: '1' });
      expect(executor.mode).toBe('proot');
      expect(executor.description).not.toContain('WARNING');
      let out = '';
      const script = `for t in "-w /etc/only-in-guest" "-w /nonexistent" "-r ${hostOnly}" "-x /bin/sh"; do if [ $t ]; then echo "$t: yes"; else echo "$t: no"; fi; done`;
      const status = await executor.run({
        argv: ['/bin/sh', '-c', script],
        env: { PATH: '/bin' },
        chroot: { root, hooks: join(dirname(root), 'hooks') },
        onOutput: (c) => (out += c.toString()),
      });
      expect(status, out).toBe(0);
      expect(out.split('\n').filter((l) => l.includes(': '))).toEqual([
        '-w /etc/only-in-guest: yes',
        '-w /nonexistent: no',
        `-r ${hostOnly}: no`,
        '-x /bin/sh: yes',
      ]);
    });
  });
});
