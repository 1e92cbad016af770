/** planElements: the whole pure plan for a build, on the committed fixture tree plus the shipped elements. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { packageActions, planElements } from '../../src/elements/index.js';

const TREE = fileURLToPath(new URL('../fixtures/elements/tree', import.meta.url));

describe('planElements', () => {
  const plan = planElements({ names: ['my-os', 'my-image'], elementsPath: TREE, env: { ARCH: 'amd64' }, arch: 'amd64' });

  test('expansion, in order', () => {
    expect(plan.expansion.elements.map((e) => e.name)).toEqual(['base', 'my-os', 'my-image', 'package-installs', 'pkg-map', 'vm', 'devtools', 'bootloader', 'block-device-mbr']);
  });
  test('hooks: scripts per phase and environment.d across elements', () => {
    const byPhase = Object.fromEntries(plan.hooks.phases.map((p) => [p.phase, p.scripts.map((s) => `${s.element}/${s.name}`)]));
    expect(byPhase['root.d']).toEqual(['my-os/10-unpack']);
    expect(byPhase['install.d']).toEqual(['devtools/50-devtools']);
    expect(plan.hooks.environment.map((s) => `${s.element}/${s.name}`)).toEqual(['block-device-mbr/10-block-device.bash', 'my-os/10-my-os.bash']); // 10 = 10: byte order breaks the tie
    expect(plan.hooks.environment.map((s) => s.name)).toEqual(['10-block-device.bash', '10-my-os.bash']);
    expect(plan.hooks.environment[1]?.path).toBe(join(TREE, 'my-os', 'environment.d', '10-my-os.bash'));
  });
  test('packages squashed across elements, then mapped per element for Debian', () => {
    expect(plan.packages).toEqual({
      'pre-install.d': { install: [['kernel', 'my-os']], uninstall: [] },
      'install.d': { install: [['ca-certificates', 'my-os'], ['compiler', 'devtools'], ['editor', 'devtools'], ['vendor-firmware', 'devtools']], uninstall: [['compiler', 'devtools']] },
      'post-install.d': { install: [], uninstall: [['nano', 'devtools']] },
    });
    const target = { distro: 'debian', release: 'bookworm' };
    expect(packageActions(plan.packages, 'pre-install.d', plan.pkgMaps, target)).toEqual({ install: ['linux-image-amd64'], uninstall: [] });
    expect(packageActions(plan.packages, 'install.d', plan.pkgMaps, target)).toEqual({ install: ['ca-certificates', 'gcc', 'vim-tiny', 'vendor-firmware'], uninstall: ['gcc'] });
    expect(packageActions(plan.packages, 'post-install.d', plan.pkgMaps, target)).toEqual({ install: [], uninstall: ['nano'] });
  });
  test('arm64 drops the amd64-only package and picks the efi layout', () => {
    const arm = planElements({ names: ['my-os', 'my-image'], elementsPath: TREE, env: {}, arch: 'arm64' });
    expect(arm.packages['install.d']?.install.map(([p]) => p)).not.toContain('vendor-firmware');
    expect(arm.expansion.providedBy.get('block-device')).toBe('block-device-efi');
  });
});
