import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rfc3339 } from '../../src/oci/config.js';
import { writeDockerArchive, writeOciArchive } from '../../src/oci/writer.js';
import { TsdibError } from '../../src/errors.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { imageTree } from './image-tree.js';

const EPOCH = 1700000000;
const isRoot = process.getuid?.() === 0;
const tmp = useTmpDir();

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function json(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

describe('image archives: determinism and errors', () => {
  test('the same tree, target and epoch give byte-identical docker and OCI tarballs', () => {
    const dir = tmp();
    for (const [write, ext] of [[writeDockerArchive, 'docker'], [writeOciArchive, 'oci']] as const) {
      const a = write(imageTree(), join(dir, `a.${ext}.tar`), { epoch: EPOCH, target: 'demo:1' });
      const b = write(imageTree(), join(dir, `b.${ext}.tar`), { epoch: EPOCH, target: 'demo:1' });
      expect(a.layerDigest).toBe(b.layerDigest);
      expect(sha(fs.readFileSync(a.path))).toBe(sha(fs.readFileSync(b.path)));
    }
    // Only the two outputs are left: the temp layers are gone.
    expect(fs.readdirSync(dir).sort()).toEqual(['a.docker.tar', 'a.oci.tar', 'b.docker.tar', 'b.oci.tar']);
  });

  test('a bad target is an input error and nothing is written', () => {
    const dir = tmp();
    expect(() => writeOciArchive(imageTree(), join(dir, 'x.oci.tar'), { epoch: EPOCH, target: 'Bad/Name' })).toThrow(TsdibError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe.runIf(haveTools('skopeo', 'umoci', 'bsdtar'))('image archives read by skopeo and umoci', () => {
  test('docker-archive: skopeo inspect sees the tag, the layer, the config with its diff_id, and copies it (checking digests)', () => {
    const dir = tmp();
    const r = writeDockerArchive(imageTree(), join(dir, 'img.docker.tar'), { epoch: EPOCH, target: 'registry.example:5000/team/demo:v1' });
    // Naming the image by its RepoTag finds it; another name does not.
    const inspect = runTool('skopeo', ['inspect', `docker-archive:${r.path}:registry.example:5000/team/demo:v1`]);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(runTool('skopeo', ['inspect', `docker-archive:${r.path}:other:v1`]).status).not.toBe(0);
    const info = json(inspect.stdout);
    expect(info['Name']).toBe('registry.example:5000/team/demo');
    expect(info['Layers']).toEqual([r.layerDigest]);
    expect(info['Architecture']).toBe('amd64');
    expect(info['Os']).toBe('linux');
    expect(info['Created']).toBe(rfc3339(EPOCH));
    const config = json(runTool('skopeo', ['inspect', '--config', `docker-archive:${r.path}`]).stdout);
    expect((config['rootfs'] as { diff_ids: string[] }).diff_ids).toEqual([r.layerDigest]);
    const copy = runTool('skopeo', ['copy', '--quiet', `docker-archive:${r.path}`, `dir:${join(dir, 'copied')}`]);
    expect(copy.status, copy.stderr).toBe(0);
    // The dir: transport stores blobs as they are, named by their digests: the layer hashes to ours.
    expect(sha(fs.readFileSync(join(dir, 'copied', r.layerDigest.slice(7))))).toBe(r.layerDigest.slice(7));
    const listing = runTool('bsdtar', ['-tf', r.path]).stdout.split('\n');
    expect(listing).toContain('./manifest.json');
    expect(listing).toContain('./repositories');
  });

  test('OCI archive: skopeo inspect by tag, the raw manifest hashes to our digest, umoci unpacks the tree', () => {
    const dir = tmp();
    const tree = imageTree();
    const r = writeOciArchive(tree, join(dir, 'img.oci.tar'), { epoch: EPOCH, target: 'demo:v2', architecture: 'x86_64' });
    const inspect = runTool('skopeo', ['inspect', `oci-archive:${r.path}:v2`]);
    expect(inspect.status, inspect.stderr).toBe(0);
    const info = json(inspect.stdout);
    expect(info['Digest']).toBe(r.manifestDigest);
    expect(info['Layers']).toEqual([r.layerDigest]);
    expect(info['Architecture']).toBe('amd64');
    const raw = runTool('skopeo', ['inspect', '--raw', `oci-archive:${r.path}:v2`]);
    expect(`sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`).toBe(r.manifestDigest);
    const manifest = json(raw.stdout) as { mediaType: string; config: { mediaType: string; digest: string }; layers: { mediaType: string }[] };
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config).toMatchObject({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: r.configDigest });
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar']);

    const layout = join(dir, 'layout');
    fs.mkdirSync(layout);
    expect(runTool('bsdtar', ['-xf', r.path, '-C', layout]).status).toBe(0);
    const bundle = join(dir, 'bundle');
    const unpack = runTool('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${layout}:v2`, bundle]);
    expect(unpack.status, unpack.stderr).toBe(0);
    const rootfs = join(bundle, 'rootfs');
    expect(fs.readFileSync(join(rootfs, 'bin/hello'), 'utf8')).toBe('#!/bin/sh\necho hello\n');
    expect(fs.statSync(join(rootfs, 'bin/hello2')).ino).toBe(fs.statSync(join(rootfs, 'bin/hello')).ino);
    expect(fs.readlinkSync(join(rootfs, 'usr/bin/hi'))).toBe('/bin/hello');
    expect(sha(fs.readFileSync(join(rootfs, 'home/user/data')))).toBe(sha(new Uint8Array(100_000).map((_, i) => i & 0xff)));
    expect(fs.statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777);
    if (isRoot) expect(fs.statSync(join(rootfs, 'home/user/data')).uid).toBe(1000);
  });
});
