import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildLayout, packArgs, shellQuote, sourcedVariables } from '../../src/build/build.js';
import type { ElementsPlan } from '../../src/elements/index.js';
import { useTmpDir } from '../helpers/tmp.js';

const noElements = { expansion: { elements: [] } } as unknown as ElementsPlan;

describe('build helpers', () => {
  const tmp = useTmpDir();

  test('packing keeps owners under a namespace, forces root without one, clamps times to SOURCE_DATE_EPOCH', () => {
    const userns = packArgs({ mode: 'userns' }, '/m', '/t.tar', 1700000000);
    expect(userns).not.toContain('--owner=0');
    expect(userns).toEqual(expect.arrayContaining(['--numeric-owner', '--xattrs', '--acls', '--mtime=@1700000000', '--clamp-mtime', '-C', '/m', '-cf', '/t.tar']));
    expect(packArgs({ mode: 'none' }, '/m', '/t.tar', 1)).toEqual(expect.arrayContaining(['--owner=0', '--group=0']));
    expect(packArgs({ mode: 'proot' }, '/m', '/t.tar', 1)).toEqual(expect.arrayContaining(['--owner=0', '--group=0']));
  });

  test('shell quoting leaves package names alone and quotes the rest', () => {
    expect(shellQuote('libc6:amd64')).toBe('libc6:amd64');
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
  });

  test('environment.d files are sourced in order for the variables pkg-map needs', () => {
    const dir = tmp();
    writeFileSync(join(dir, '10-os'), 'export DISTRO_NAME=debian\nexport DIB_RELEASE=${DIB_RELEASE:-bookworm}\n');
    writeFileSync(join(dir, '20-later'), 'export DIB_RELEASE=$DIB_RELEASE-x\nfalse\n');
    const vars = sourcedVariables([join(dir, '10-os'), join(dir, '20-later')], { PATH: process.env['PATH']! });
    expect(vars['DISTRO_NAME']).toBe('debian');
    expect(vars['DIB_RELEASE']).toBe('bookworm-x');
  });

  test('layout: DIB_BLOCK_DEVICE_CONFIG wins, else the mbr preset', () => {
    const yaml = '- local_loop:\n    name: image0\n- partitioning:\n    base: image0\n    label: gpt\n    partitions:\n      - name: root\n        size: 100%\n        mkfs:\n          type: ext4\n          mount:\n            mount_point: /\n';
    const fromEnv = buildLayout(noElements, { DIB_BLOCK_DEVICE_CONFIG: yaml });
    expect(fromEnv.source).toBe('DIB_BLOCK_DEVICE_CONFIG');
    expect(buildLayout(noElements, {}).source).not.toBe('DIB_BLOCK_DEVICE_CONFIG');
    expect(() => buildLayout(noElements, { DIB_BLOCK_DEVICE_CONFIG: 'file:///nonexistent.yaml' })).toThrow(/no such file/);
  });
});
