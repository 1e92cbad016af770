import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHROOT_SETUP, prepareProotShims, probeUserns, prootArgv, selectExecutor, sudoShim } from '../../src/build/executor.js';
import { TsdibError } from '../../src/errors.js';
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
