import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHROOT_SETUP, probeUserns, selectExecutor, sudoShim } from '../../src/build/executor.js';
import { TsdibError } from '../../src/errors.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('chroot executors', () => {
  const tmp = useTmpDir();

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
