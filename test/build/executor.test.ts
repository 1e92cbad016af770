import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CHROOT_SETUP,
  enosysFilter,
  prepareProotShims,
  probeProotLauncher,
  probeUserns,
  PROOT_SECCOMP_LAUNCHER,
  prootArgv,
  prootLauncher,
  SECCOMP_ARCHES,
  selectExecutor,
  sudoShim,
} from '../../src/build/executor.js';
import { TsdibError } from '../../src/errors.js';
import { findTool, haveTools, runTool } from '../helpers/oracles.js';
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

  test('the seccomp filter: other arches allowed; statx, openat2, faccessat2, fchmodat2 get ENOSYS; the rest allowed', () => {
    const x64 = SECCOMP_ARCHES['x64']!;
    expect(Object.values(x64.refused)).toEqual([332, 437, 439, 452]);
    // sock_filter {u16 code, u8 jt, u8 jf, u32 k}, little-endian, written out by hand from filter.h and seccomp.h.
    const expected = [
      '2000 00 00 04000000', // ld [4] (arch)
      '1500 00 05 3e0000c0', // jeq AUDIT_ARCH_X86_64 ? next : allow
      '2000 00 00 00000000', // ld [0] (nr)
      '1500 04 00 4c010000', // jeq 332 statx ? enosys
      '1500 03 00 b5010000', // jeq 437 openat2 ? enosys
      '1500 02 00 b7010000', // jeq 439 faccessat2 ? enosys
      '1500 01 00 c4010000', // jeq 452 fchmodat2 ? enosys
      '0600 00 00 0000ff7f', // ret SECCOMP_RET_ALLOW
      '0600 00 00 26000500', // ret SECCOMP_RET_ERRNO | ENOSYS
    ].join('').replace(/ /g, '');
    expect(Buffer.from(enosysFilter(x64.auditArch, Object.values(x64.refused))).toString('hex')).toBe(expected);
    expect(SECCOMP_ARCHES['arm64']).toMatchObject({ auditArch: 0xc00000b7, prctl: 167, seccomp: 277, refused: { statx: 291, openat2: 437, faccessat2: 439, fchmodat2: 452 } });
  });

  test('proot runs behind the filter: perl with the prctl and seccomp numbers of the arch and the program in hex', () => {
    const launch = (arch: 'x64' | 'arm64', prctl: string, seccomp: string) => {
      const a = SECCOMP_ARCHES[arch]!;
      const hex = Buffer.from(enosysFilter(a.auditArch, Object.values(a.refused))).toString('hex');
      return ['/usr/bin/perl', '-e', PROOT_SECCOMP_LAUNCHER, '--', prctl, seccomp, hex];
    };
    expect(prootLauncher('x64', '/usr/bin/perl')).toEqual({ prefix: launch('x64', '157', '317') });
    expect(prootLauncher('arm64', '/usr/bin/perl')).toEqual({ prefix: launch('arm64', '167', '277') });
    const argv = prootArgv({ root: '/r', hooks: '/h' }, ['sh', '-c', 'true'], launch('x64', '157', '317'));
    expect(argv.slice(0, 11)).toEqual([...launch('x64', '157', '317'), 'proot', '-0', '-r', '/r']);
    expect(argv.slice(-3)).toEqual(['sh', '-c', 'true']);
  });

  test('without perl, or on an arch tsdib has no numbers for, proot runs bare and the executor says what that means', () => {
    const riscv = prootLauncher('riscv64', '/usr/bin/perl');
    expect(riscv.prefix).toEqual([]);
    expect(riscv.warning).toMatch(/no seccomp filter for proot on riscv64.*test -r\/-w\/-x.*host paths/);
    const noPerl = prootLauncher('x64', undefined);
    expect(noPerl.prefix).toEqual([]);
    expect(noPerl.warning).toMatch(/perl not found.*host paths/);
    expect(prootArgv({ root: '/r', hooks: '/h' }, ['true'], noPerl.prefix).slice(0, 2)).toEqual(['proot', '-0']);
    // The probe gives the same answer for an arch without numbers, whatever this host has.
    expect(probeProotLauncher('riscv64')).toEqual(riscv);
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
 * The filter for real, with the kernel as the oracle: under it (and only under it) the four calls fail with
 * ENOSYS while the old ones proot translates still work, also through the sudo shim's quoting; and under our
 * proot executor shell access tests and stat(1) see the image's files, not the host's. The image is tiny:
 * the host's /bin/sh and stat, and the libraries ldd lists, copied to the same paths.
 */
const NATIVE = SECCOMP_ARCHES[process.arch];
describe.runIf(NATIVE !== undefined && haveTools('perl', 'ldd'))('proot\'s seccomp filter', () => {
  const tmp = useTmpDir();
  const launcher = probeProotLauncher();

  test('installs on this host: statx, openat2, faccessat2 and fchmodat2 get ENOSYS (38); faccessat and newfstatat work', () => {
    expect(launcher.warning).toBeUndefined();
    const old = process.arch === 'arm64' ? { faccessat: 48, newfstatat: 79 } : { faccessat: 269, newfstatat: 262 };
    const r = NATIVE!.refused;
    // Each call on "/" (AT_FDCWD = -100); prints "result/errno" per call.
    const probe = [
      'my $p = "/"; my $buf = "\\0" x 256; my $how = pack("QQQ", 0, 0, 0); my @out;',
      'sub t { $! = 0; my $r = syscall(shift, @_); push @out, $r . "/" . ($! + 0) }',
      `t(${r['statx']}, -100, $p, 0, 0xfff, $buf); t(${r['openat2']}, -100, $p, $how, 24); t(${r['faccessat2']}, -100, $p, 0, 0);`,
      `t(${r['fchmodat2']}, -100, $p, 0755, 0x100); t(${old.faccessat}, -100, $p, 0); t(${old.newfstatat}, -100, $p, $buf, 0);`,
      'print join(" ", @out)',
    ].join('\n');
    const dir = tmp();
    const shim = join(dir, 'sudo');
    writeFileSync(shim, sudoShim({ mode: 'proot', hostPrefix: launcher.prefix }));
    chmodSync(shim, 0o755);
    const filtered = runTool(shim, ['-E', 'sh', '-c', 'perl -e "$1"; echo; grep ^Seccomp: /proc/self/status', 'sh', probe]);
    expect(filtered.stderr).toBe('');
    expect(filtered.stdout).toMatch(/^-1\/38 -1\/38 -1\/38 -1\/38 0\/0 0\/0\nSeccomp:\s+2$/m);
    // Without the filter the same numbers are real calls: statx, openat2 (fd 3) and faccessat2 succeed.
    // (fchmodat2 on "/" would need root; it is not run without the filter.)
    const bare = runTool('perl', ['-e', probe.replace(/t\(\d+, -100, \$p, 0755, 0x100\); /, '')]);
    expect(bare.stdout).toMatch(/^0\/0 3\/0 0\/0 0\/0 0\/0$/);
  });

  describe.runIf(haveTools('proot', 'stat'))('under proot', () => {
    function tinyRoot(): string {
      const root = join(tmp(), 'root');
      const programs = [realpathSync('/bin/sh'), realpathSync(findTool('stat')!)];
      const libs = programs.flatMap((p) => [...runTool('ldd', [p]).stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!));
      const copies: [string, string][] = [[programs[0]!, '/bin/sh'], [programs[1]!, '/bin/stat'], ...libs.map((l): [string, string] => [l, l])];
      for (const [from, to] of copies) {
        mkdirSync(join(root, dirname(to)), { recursive: true });
        copyFileSync(from, join(root, to));
        chmodSync(join(root, to), 0o755);
      }
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'only-in-guest'), 'guest\n');
      return root;
    }

    test('[ -w guest file ] is true, [ -w /nonexistent ] and [ -r host-only file ] false; stat(1) sees the guest file', async () => {
      const root = tinyRoot();
      const hostOnly = join(dirname(root), 'host-only');
      writeFileSync(hostOnly, 'host\n');
      const executor = selectExecutor('proot', { TSDIB_NO_USERNS: '1' });
      expect(executor.mode).toBe('proot');
      expect(executor.description).not.toContain('WARNING');
      let out = '';
      const script = `for t in "-w /etc/only-in-guest" "-w /nonexistent" "-r ${hostOnly}" "-x /bin/sh"; do if [ $t ]; then echo "$t: yes"; else echo "$t: no"; fi; done; /bin/stat -c 'stat: %n %s' /etc/only-in-guest`;
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
        'stat: /etc/only-in-guest 6',
      ]);
    });
  });
});
