/**
 * The container-to-VM path end to end: a two-layer OCI image (layer 1: a Debian rootfs with a kernel,
 * made rootless by mmdebstrap; layer 2, by hand: our init script and a whiteout) is read as ROOTFS,
 * assembled onto an MBR disk by `tsdib assemble LAYOUT -t raw --bootloader grub` (ext4 and GRUB's i386-pc
 * boot code, from the image's own grub-pc-bin, by our writers), and booted in qemu from the disk alone
 * (SeaBIOS → our MBR → GRUB → the image's own kernel and initramfs-tools initrd: no -kernel/-initrd).
 * The marker comes from the script the upper layer added, and it sees the lower layer's /etc/motd
 * whited out. A kernel-less image is refused with the packages to add.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { requireImageKernel } from '../../src/oci/kernel-hint.js';
import { readContainerRootfs } from '../../src/oci/reader.js';
import { writeOciArchive } from '../../src/oci/writer.js';
import { readRootfs, writeTar } from '../../src/tar/index.js';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import { fastBootRootfs } from '../boot/boot-rootfs.js';
import { debianRootfs } from '../helpers/debian.js';
import { tsdib } from '../helpers/cli.js';
import { haveTools } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';
import { useTmpDir } from '../helpers/tmp.js';

const EPOCH = 1700000000;
const MARKER = 'TSDIB-CONTAINER-VM-INIT';
const INIT = `#!/bin/sh
# Added by the image's upper layer; runs as init once the initrd has mounted the ext4 root.
echo "${MARKER} root=$(awk '$2 == "/" { print $3 }' /proc/mounts | tail -1) motd=$(test -e /etc/motd && echo present || echo gone)"
echo o > /proc/sysrq-trigger
sleep 60
`;
const tmp = useTmpDir();

function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  try {
    for (let at = 0, n = 0; (n = fs.readSync(fd, buf, 0, buf.length, at)) > 0; at += n) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** An OCI layout directory whose layers are `layers` (host tar files, linked into blobs/). */
function ociLayout(dir: string, layers: string[]): string {
  const layout = join(dir, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const descriptors = layers.map((file) => {
    const digest = fileDigest(file);
    fs.symlinkSync(file, join(blobs, digest.slice(7)));
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: fs.statSync(file).size };
  });
  const put = (text: string) => {
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    fs.writeFileSync(join(blobs, digest.slice(7)), text);
    return { digest, size: Buffer.byteLength(text) };
  };
  const config = put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.digest) } }));
  const manifest = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: descriptors }));
  fs.writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }));
  return layout;
}

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('container image → VM disk', () => {
  test('an image without a kernel is refused, naming linux-image-amd64 and an init', async () => {
    const dir = tmp();
    const minbase = await readRootfs([debianRootfs()], { tmpDir: dir });
    const image = writeOciArchive(minbase.tree, join(dir, 'plain.oci.tar'), { epoch: EPOCH });
    minbase.cleanup();
    const rootfs = await readContainerRootfs(image.path, { tmpDir: dir });
    try {
      let err: unknown;
      try {
        requireImageKernel(rootfs.tree, image.path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TsdibError);
      expect((err as TsdibError).message).toMatch(/plain\.oci\.tar: the container image has no kernel/);
      expect((err as TsdibError).hint).toMatch(/linux-image-amd64 and systemd-sysv/);
    } finally {
      rootfs.cleanup();
    }
  }, 300_000);

  test('a Debian image with a kernel, plus a hand-made upper layer, boots from our disk to its own init', async () => {
    const dir = tmp();
    const upper = new FileTree({ sec: EPOCH, nsec: 0 });
    upper.addFile('sbin/tsdib-init', bytesBody(Buffer.from(INIT)), { mode: 0o755 });
    upper.addFile('etc/.wh.motd', bytesBody(new Uint8Array(0)));
    const upperTar = join(dir, 'upper.tar');
    await writeTar(upper, upperTar, { epoch: EPOCH });
    const layout = ociLayout(dir, [fastBootRootfs(), upperTar]);

    const rootfs = await readContainerRootfs(layout, { tmpDir: dir });
    try {
      expect(rootfs.tree.lookup('etc/motd')).toBeUndefined();
      // The image carries its kernel, its initrd and GRUB's BIOS payload (grub-pc-bin, in the fast recipe).
      const { initrd } = requireImageKernel(rootfs.tree, layout);
      expect(initrd).toBeDefined();
      expect(rootfs.tree.lookup('usr/lib/grub/i386-pc/boot.img')).toBeDefined();
      // The disk through the CLI, as a user makes it: the layout directory is the ROOTFS, GRUB the loader.
      const cli = tsdib(['assemble', layout, '-t', 'raw', '--bootloader', 'grub', '--cmdline', 'init=/sbin/tsdib-init panic=-1', '--seed', 'container-to-vm', '-o', 'vm'], {
        cwd: dir,
        env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) },
      });
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stderr).toMatch(/layout: oci-layout, 2 layers$/m);
      // Only the disk: the firmware reads our MBR, GRUB loads the kernel and initrd it finds on the ext4 root.
      const booted = await boot({
        name: 'container-to-vm',
        disk: { path: join(dir, 'vm.raw'), format: 'raw' },
        firmware: 'bios',
        expect: new RegExp(`${MARKER} root=ext4 motd=gone`),
        timeoutMs: 300_000,
      });
      expect(booted.matched, `console log: ${booted.logPath}\n${booted.log.slice(-3000)}`).toBe(true);
      // GRUB, not qemu, loaded the kernel: it names the image it read from our ext4 in BOOT_IMAGE.
      expect(booted.log).toMatch(/Command line: BOOT_IMAGE=\/boot\/vmlinuz-\S+ .*init=\/sbin\/tsdib-init/);
    } finally {
      rootfs.cleanup();
    }
  }, 900_000);
});
