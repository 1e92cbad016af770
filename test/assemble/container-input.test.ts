/**
 * Container images among ROOTFS inputs: told from rootfs tarballs by their first member, even when
 * compressed (gzip, xz, zstd by the real tools), with only the beginning decompressed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expandContainerInputs, firstMemberName, isImageMemberName, mayBeContainerImage } from '../../src/assemble/container-input.js';
import { writeDockerArchive } from '../../src/oci/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { imageTree } from '../oci/image-tree.js';

describe('image member names', () => {
  test('metadata and blobs are image names; a root filesystem\'s files are not', () => {
    for (const n of ['manifest.json', './oci-layout', 'index.json', 'blobs/', './blobs/sha256/ab', `${'a'.repeat(64)}/layer.tar`, `${'0'.repeat(64)}.json`, `${'f'.repeat(64)}.tar`]) expect(isImageMemberName(n), n).toBe(true);
    for (const n of ['etc/', './bin/sh', 'boot/vmlinuz', 'blobsy', `${'a'.repeat(63)}/x`, 'usr/manifest.json']) expect(isImageMemberName(n), n).toBe(false);
  });
});

describe.runIf(haveTools('tar', 'gzip', 'xz', 'zstd'))('detection of compressed inputs (GNU tar, gzip, xz, zstd)', () => {
  const tmp = useTmpDir();
  test('a GNU tar with a pax long name first: the name is read past the root entry and the pax header', () => {
    const dir = tmp();
    const long = `${'d'.repeat(120)}`;
    mkdirSync(join(dir, 'src', long), { recursive: true });
    writeFileSync(join(dir, 'src', long, 'f'), 'x');
    expect(runTool('tar', ['--format=pax', '-cf', join(dir, 'a.tar'), '-C', join(dir, 'src'), '.']).status).toBe(0);
    const bytes = new Uint8Array(readFileSync(join(dir, 'a.tar')));
    expect(firstMemberName(bytes)).toBe(`./${long}/`);
  });
  test('docker-archives compressed by each tool are images; rootfs tarballs compressed the same way are not', async () => {
    const dir = tmp();
    writeDockerArchive(imageTree(), join(dir, 'img.tar'), { epoch: 1700000000, target: 'x:1' });
    mkdirSync(join(dir, 'root/etc'), { recursive: true });
    writeFileSync(join(dir, 'root/etc/hostname'), 'h\n');
    expect(runTool('tar', ['-cf', join(dir, 'root.tar'), '-C', join(dir, 'root'), '.']).status).toBe(0);
    for (const base of ['img.tar', 'root.tar']) {
      expect(runTool('gzip', ['-k', join(dir, base)]).status).toBe(0);
      expect(runTool('xz', ['-k', join(dir, base)]).status).toBe(0);
      expect(runTool('zstd', ['-q', join(dir, base)]).status).toBe(0);
    }
    for (const ext of ['', '.gz', '.xz', '.zst']) {
      expect(await mayBeContainerImage(join(dir, `img.tar${ext}`)), `img.tar${ext}`).toBe(true);
      expect(await mayBeContainerImage(join(dir, `root.tar${ext}`)), `root.tar${ext}`).toBe(false);
    }
    expect(await mayBeContainerImage(join(dir, 'root'))).toBe(false);
    expect(await mayBeContainerImage(join(dir, 'missing.tar'))).toBe(false);
  });
  test('expandContainerInputs puts an image\'s layers in its place, keeps other inputs in order, and cleans up', async () => {
    const dir = tmp();
    writeDockerArchive(imageTree(), join(dir, 'img.tar'), { epoch: 1700000000 });
    mkdirSync(join(dir, 'over'));
    const x = await expandContainerInputs([join(dir, 'img.tar'), join(dir, 'over')], dir);
    expect(x.images).toEqual([{ input: join(dir, 'img.tar'), kind: 'docker-archive', layers: 1 }]);
    expect(x.paths).toHaveLength(2);
    expect(x.paths[0]).toMatch(/tsdib-image-.*layer-1\.tar/);
    expect(x.paths[1]).toBe(join(dir, 'over'));
    const tar = runTool('tar', ['-tf', x.paths[0]!]);
    expect(tar.stdout).toMatch(/^\.?\/?bin\/hello$/m);
    x.cleanup();
    expect(existsSync(x.paths[0]!)).toBe(false);
  });
});
