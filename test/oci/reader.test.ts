import * as fs from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { requireImageKernel } from '../../src/oci/kernel-hint.js';
import { detectContainerImage, readContainerRootfs } from '../../src/oci/reader.js';
import { writeDockerArchive, writeOciArchive } from '../../src/oci/writer.js';
import { readRootfs, writeTar } from '../../src/tar/index.js';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { summarize } from './tree-summary.js';
import { imageTree } from './image-tree.js';

const EPOCH = 1700000000;
const isRoot = process.getuid?.() === 0;
const tmp = useTmpDir();

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A `put(bytes)` that stores a blob in the layout's blobs/sha256 (created) and returns its descriptor part. */
function blobStore(layout: string): (bytes: Uint8Array) => { digest: string; size: number } {
  const blobs = join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  return (bytes) => {
    const d = digestOf(bytes);
    fs.writeFileSync(join(blobs, d.slice(7)), bytes);
    return { digest: d, size: bytes.length };
  };
}

async function expectInputError(p: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TsdibError);
  expect((err as TsdibError).exitCode).toBe(2);
  expect((err as TsdibError).message).toMatch(message);
}

/**
 * An OCI layout directory made by hand (not by our writer): layer 1 a plain tar, layer 2 gzip'd,
 * holding a file whiteout, an opaque directory and new files.
 */
async function handMadeLayout(dir: string): Promise<{ layout: string; expected: FileTree }> {
  const t = { sec: EPOCH - 10, nsec: 0 };
  const lower = new FileTree(t);
  lower.addFile('a/keep', bytesBody(Buffer.from('keep')), { mtime: t });
  lower.addFile('a/gone', bytesBody(Buffer.from('gone')), { mtime: t });
  lower.addFile('d/x', bytesBody(Buffer.from('x')), { mtime: t });
  lower.addFile('d/sub/y', bytesBody(Buffer.from('y')), { mtime: t });
  lower.addFile('replaced', bytesBody(Buffer.from('old')), { mtime: t });
  const upper = new FileTree(t);
  upper.addDir('a', { mtime: t });
  upper.addFile('a/.wh.gone', bytesBody(new Uint8Array(0)), { mtime: t });
  upper.addDir('d', { mtime: t });
  upper.addFile('d/.wh..wh..opq', bytesBody(new Uint8Array(0)), { mtime: t });
  upper.addFile('d/new', bytesBody(Buffer.from('new')), { mtime: t });
  upper.addFile('replaced', bytesBody(Buffer.from('new content')), { mode: 0o755, mtime: t });
  upper.addFile('top', bytesBody(Buffer.from('top')), { mtime: t });

  const layout = join(dir, 'layout');
  const put = blobStore(layout);
  await writeTar(lower, join(dir, 'l1.tar'), { epoch: EPOCH });
  await writeTar(upper, join(dir, 'l2.tar'), { epoch: EPOCH });
  const l1 = fs.readFileSync(join(dir, 'l1.tar'));
  const l2 = fs.readFileSync(join(dir, 'l2.tar'));
  const b1 = put(l1);
  const b2 = put(gzipSync(l2));
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(l1), digestOf(l2)] } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [
          { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...b1 },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...b2 },
        ],
      }),
    ),
  );
  fs.writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'two' } }] }),
  );
  const expected = new FileTree(t);
  expected.addFile('a/keep', bytesBody(Buffer.from('keep')), { mtime: t });
  expected.addFile('d/new', bytesBody(Buffer.from('new')), { mtime: t });
  expected.addFile('replaced', bytesBody(Buffer.from('new content')), { mode: 0o755, mtime: t });
  expected.addFile('top', bytesBody(Buffer.from('top')), { mtime: t });
  return { layout, expected };
}

describe('container image → FileTree', () => {
  test('our docker-archive and OCI archive read back as the tree they were made from', async () => {
    const dir = tmp();
    const want = summarize(imageTree());
    for (const write of [writeDockerArchive, writeOciArchive]) {
      const r = write(imageTree(), join(dir, `img-${write.name}.tar`), { epoch: EPOCH, target: 'demo:1' });
      expect(detectContainerImage(r.path)).toBe(write === writeDockerArchive ? 'docker-archive' : 'oci-archive');
      const rootfs = await readContainerRootfs(r.path, { tmpDir: dir });
      try {
        expect(summarize(rootfs.tree)).toEqual(want);
        expect(rootfs.config.architecture).toBe('amd64');
        expect(rootfs.layers).toBe(1);
      } finally {
        rootfs.cleanup();
      }
    }
    // Nothing of the readers' work files is left behind.
    expect(fs.readdirSync(dir).sort()).toEqual(['img-writeDockerArchive.tar', 'img-writeOciArchive.tar']);
  });

  test('a hand-made two-layer OCI layout (gzip upper layer, file and opaque whiteouts) gives the merged tree', async () => {
    const dir = tmp();
    const { layout, expected } = await handMadeLayout(dir);
    expect(detectContainerImage(layout)).toBe('oci-layout');
    const rootfs = await readContainerRootfs(layout, { tmpDir: dir, reference: 'two' });
    try {
      expect(summarize(rootfs.tree, { root: false })).toEqual(summarize(expected, { root: false }));
      expect(rootfs.stats.whiteouts).toBe(2);
    } finally {
      rootfs.cleanup();
    }
    // The same layout as a tarball, compressed with gzip, reads the same.
    const tarball = join(dir, 'layout.oci.tar.gz');
    expect(runTool('bsdtar', ['-czf', tarball, '-C', layout, '.']).status).toBe(0);
    const again = await readContainerRootfs(tarball, { tmpDir: dir });
    try {
      expect(summarize(again.tree, { root: false })).toEqual(summarize(expected, { root: false }));
    } finally {
      again.cleanup();
    }
  });

  test('errors: not an image, an unknown tag, a corrupted layer', async () => {
    const dir = tmp();
    const plain = join(dir, 'plain.tar');
    await writeTar(imageTree(), plain, { epoch: EPOCH });
    expect(detectContainerImage(plain)).toBeUndefined();
    await expectInputError(readContainerRootfs(plain, { tmpDir: dir }), /not a container image/);
    const r = writeDockerArchive(imageTree(), join(dir, 'img.docker.tar'), { epoch: EPOCH, target: 'demo:1' });
    await expectInputError(readContainerRootfs(r.path, { tmpDir: dir, reference: 'demo:2' }), /no image tagged demo:2.*/);
    const ok = await readContainerRootfs(r.path, { tmpDir: dir, reference: 'demo:1' });
    ok.cleanup();
    const { layout } = await handMadeLayout(dir);
    await expectInputError(readContainerRootfs(layout, { tmpDir: dir, reference: 'three' }), /no manifest named three/);
    // Flip one byte of the first layer blob: its digest no longer matches.
    const blobs = join(layout, 'blobs', 'sha256');
    const index = JSON.parse(fs.readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(fs.readFileSync(join(blobs, index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    const layerPath = join(blobs, manifest.layers[0]!.digest.slice(7));
    const bytes = fs.readFileSync(layerPath);
    bytes[600] = bytes[600]! ^ 1;
    fs.writeFileSync(layerPath, bytes);
    await expectInputError(readContainerRootfs(layout, { tmpDir: dir }), /layer 1 .* hashes to sha256:[0-9a-f]{64}, not sha256:/);
  });

  test('a multi-platform index: linux/amd64 by default, another architecture when asked, a clear error when none fits', async () => {
    const dir = tmp();
    const layout = join(dir, 'multi');
    const put = blobStore(layout);
    const platformManifest = async (arch: string) => {
      const tree = new FileTree();
      tree.addFile('arch', bytesBody(Buffer.from(arch)));
      await writeTar(tree, join(dir, `${arch}.tar`), { epoch: EPOCH });
      const layer = fs.readFileSync(join(dir, `${arch}.tar`));
      const config = put(Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(layer)] } })));
      const manifest = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...put(layer) }] })));
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { architecture: arch, os: 'linux' } };
    };
    const nested = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [await platformManifest('arm64'), await platformManifest('amd64')] })));
    fs.writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    fs.writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...nested, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }] }));
    for (const [arch, want] of [[undefined, 'amd64'], ['arm64', 'arm64']] as const) {
      const r = await readContainerRootfs(layout, { tmpDir: dir, reference: 'multi', ...(arch ? { architecture: arch } : {}) });
      try {
        expect(r.config.architecture).toBe(want);
        expect(summarize(r.tree, { root: false, times: false })['/arch']).toMatch(new RegExp(`^file 644 0:0 ${want.length} `));
      } finally {
        r.cleanup();
      }
    }
    await expectInputError(readContainerRootfs(layout, { tmpDir: dir, architecture: 'riscv64' }), /none is the only one for linux\/riscv64/);
  });

  test('a tree without a kernel: the error names the distribution\'s kernel and init packages', () => {
    const tree = new FileTree();
    tree.addFile('etc/os-release', bytesBody(Buffer.from('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')));
    expect(() => requireImageKernel(tree, 'img.oci.tar')).toThrow(/img\.oci\.tar: the container image has no kernel/);
    try {
      requireImageKernel(tree, 'img.oci.tar');
    } catch (e) {
      expect((e as TsdibError).hint).toMatch(/linux-image-amd64 and systemd-sysv/);
    }
    const fedora = new FileTree();
    fedora.addFile('usr/lib/os-release', bytesBody(Buffer.from('ID=rocky\nID_LIKE="rhel centos fedora"\n')));
    fedora.addSymlink('etc/os-release', '../usr/lib/os-release');
    fedora.addSymlink('sbin/init', '../lib/systemd/systemd');
    fedora.addFile('lib/systemd/systemd', bytesBody(Buffer.from('ELF')), { mode: 0o755 });
    expect(() => requireImageKernel(fedora, 'x')).toThrow(TsdibError);
    try {
      requireImageKernel(fedora, 'x');
    } catch (e) {
      expect((e as TsdibError).hint).toBe('add kernel to the image (e.g. RUN dnf install kernel in its Containerfile)');
    }
    fedora.addFile('boot/vmlinuz-6.1.0-1-amd64', bytesBody(Buffer.from('MZ')));
    expect(requireImageKernel(fedora, 'x').kernel.path).toBe('/boot/vmlinuz-6.1.0-1-amd64');
  });
});

describe.runIf(haveTools('skopeo', 'umoci', 'bsdtar'))('container image reader against skopeo and umoci', () => {
  test('umoci applies the hand-made layers (whiteouts) to the same tree as ours', async () => {
    const dir = tmp();
    const { layout } = await handMadeLayout(dir);
    const bundle = join(dir, 'bundle');
    const unpack = runTool('umoci', ['unpack', ...(isRoot ? [] : ['--rootless']), '--image', `${layout}:two`, bundle]);
    expect(unpack.status, unpack.stderr).toBe(0);
    const direct = await readRootfs([join(bundle, 'rootfs')], { tmpDir: dir, preserveOwner: isRoot });
    const ours = await readContainerRootfs(layout, { tmpDir: dir });
    try {
      const opts = { root: false, times: false, xattrs: false, owners: isRoot };
      expect(summarize(ours.tree, opts)).toEqual(summarize(direct.tree, opts));
    } finally {
      ours.cleanup();
      direct.cleanup();
    }
  });

  test('a docker-archive written by skopeo (from our OCI archive) reads as the original tree', async () => {
    const dir = tmp();
    const r = writeOciArchive(imageTree(), join(dir, 'img.oci.tar'), { epoch: EPOCH, target: 'demo:v1' });
    const docker = join(dir, 'by-skopeo.docker.tar');
    const copy = runTool('skopeo', ['copy', '--quiet', `oci-archive:${r.path}:v1`, `docker-archive:${docker}:example/demo:v1`]);
    expect(copy.status, copy.stderr).toBe(0);
    expect(detectContainerImage(docker)).toBe('docker-archive');
    const rootfs = await readContainerRootfs(docker, { tmpDir: dir, reference: 'example/demo:v1' });
    try {
      expect(summarize(rootfs.tree)).toEqual(summarize(imageTree()));
    } finally {
      rootfs.cleanup();
    }
  });
});
