import { describe, expect, test } from 'vitest';
import { phaseEnvironment } from '../../src/elements/environment.js';
import type { Expansion } from '../../src/elements/expand.js';
import { PHASES } from '../../src/elements/phases.js';

const expansion: Expansion = {
  elements: [
    { name: 'base', path: '/e/base', depends: [], provides: [] },
    { name: 'os', path: '/e/os', depends: [], provides: ['operating-system'] },
  ],
  providedBy: new Map([['operating-system', 'os']]),
  notes: [],
};
const ctx = {
  arch: 'amd64',
  imageName: 'img',
  expansion,
  searchPath: ['/mine', '/e'],
  buildDir: '/b',
  imageDir: '/i',
  hooksDir: '/b/hooks',
  mountDir: '/b/mnt',
  userEnv: { DIB_RELEASE: 'bookworm', HOME: '/home/u', PATH: '/usr/bin' },
};
const phase = (dir: string) => PHASES.find((p) => p.dir === dir) ?? (() => { throw new Error(dir); })();

describe('phaseEnvironment', () => {
  test("DIB's driver variables, DIB_* passed through, nothing else from the user's environment", () => {
    const env = phaseEnvironment(phase('extra-data.d'), ctx);
    expect(env).toMatchObject({ ARCH: 'amd64', IMAGE_NAME: 'img', IMAGE_ELEMENT: 'base os', ELEMENTS_PATH: '/mine:/e', TMP_HOOKS_PATH: '/b/hooks', TMP_MOUNT_PATH: '/b/mnt', DIB_RELEASE: 'bookworm', DIB_DEFAULT_INSTALLTYPE: 'source', LC_ALL: 'C' });
    expect(env['IMAGE_ELEMENT_YAML']).toBe('base: /e/base\nos: /e/os\n');
    expect(env['HOME']).toBeUndefined();
    expect(env['TARGET_ROOT']).toBeUndefined();
  });
  test('TARGET_ROOT in root.d, block-device.d and cleanup.d only', () => {
    const withRoot = PHASES.filter((p) => phaseEnvironment(p, ctx)['TARGET_ROOT'] === '/b/mnt').map((p) => p.dir);
    expect(withRoot).toEqual(['root.d', 'block-device.d', 'cleanup.d']);
  });
  test('chroot phases see the hooks at /tmp/in_target.d and HOME=/root', () => {
    const env = phaseEnvironment(phase('install.d'), { ...ctx, installType: 'package', debugTrace: 2 });
    expect(env).toMatchObject({ TMP_HOOKS_PATH: '/tmp/in_target.d', HOME: '/root', DIB_DEFAULT_INSTALLTYPE: 'package', DIB_DEBUG_TRACE: '2' });
  });
});
