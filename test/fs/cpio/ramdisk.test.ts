import * as fs from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { writeRamdisk } from '../../../src/fs/cpio/ramdisk.js';
import { writeCpio } from '../../../src/fs/cpio/writer.js';
import { bytesBody } from '../../../src/tree/body.js';
import { FileTree } from '../../../src/tree/tree.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { rejection } from '../../helpers/errors.js';

const tmp = useTmpDir();
const KERNEL = Buffer.from('MZ fake kernel image '.repeat(5000));

function ramdiskTree(): FileTree {
  const tree = new FileTree({ sec: 1700000000, nsec: 0 });
  tree.addFile('boot/vmlinuz-6.1.0-9-amd64', bytesBody(Buffer.from('older')));
  tree.addFile('boot/vmlinuz-6.1.0-10-amd64', bytesBody(KERNEL));
  tree.addSymlink('vmlinuz', 'boot/vmlinuz-6.1.0-9-amd64');
  tree.addFile('sbin/init', bytesBody(Buffer.from('#!/bin/sh\necho hi\n')), { mode: 0o755 });
  tree.addSymlink('init', 'sbin/init');
  return tree;
}

describe('ramdisk output', () => {
  test('NAME.initramfs and NAME.kernel side by side; the newest kernel by version order; /init may be a link', async () => {
    const dir = tmp();
    const r = await writeRamdisk(ramdiskTree(), join(dir, 'img'));
    expect(fs.readdirSync(dir).sort()).toEqual(['img.initramfs', 'img.kernel']);
    expect(r.kernelSource).toBe('/boot/vmlinuz-6.1.0-10-amd64');
    expect(fs.readFileSync(join(dir, 'img.kernel')).equals(KERNEL)).toBe(true);
    expect(r.kernelBytes).toBe(KERNEL.length);
    const cpio = zlib.gunzipSync(fs.readFileSync(join(dir, 'img.initramfs')));
    expect(cpio.subarray(0, 6).toString()).toBe('070701');
    expect(r.cpioBytes).toBe(cpio.length);
  });

  test('no /init: an input error that says so, and neither file is written', async () => {
    const dir = tmp();
    const tree = ramdiskTree();
    tree.remove('init');
    const e = await rejection(writeRamdisk(tree, join(dir, 'img')));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/no \/init: an initramfs needs one/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a non-executable /init and a dangling /init link are refused', async () => {
    const dir = tmp();
    const tree = ramdiskTree();
    tree.lookup('sbin/init')!.mode = 0o644;
    expect((await rejection(writeRamdisk(tree, join(dir, 'a')))).message).toMatch(/\/init \(\/sbin\/init\) is not executable/);
    tree.remove('sbin/init');
    expect((await rejection(writeRamdisk(tree, join(dir, 'b')))).message).toMatch(/\/init in the tree is not a regular file/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('no kernel: an input error naming what to install; an existing output is kept unless forced', async () => {
    const dir = tmp();
    const tree = new FileTree();
    tree.addFile('init', bytesBody(Buffer.from('#!/bin/sh\n')), { mode: 0o755 });
    const e = await rejection(writeRamdisk(tree, join(dir, 'img')));
    expect(e.message).toMatch(/no kernel/);
    expect(e.hint).toMatch(/linux-image-amd64/);
    fs.writeFileSync(join(dir, 'old.kernel'), 'keep me');
    expect((await rejection(writeRamdisk(ramdiskTree(), join(dir, 'old')))).message).toMatch(/old\.(initramfs|kernel) already exists/);
    expect(fs.readFileSync(join(dir, 'old.kernel'), 'utf8')).toBe('keep me');
    await writeRamdisk(ramdiskTree(), join(dir, 'old'), { force: true });
    expect(fs.readFileSync(join(dir, 'old.kernel')).equals(KERNEL)).toBe(true);
  });
});

describe.runIf(haveTools('zstd', 'cpio'))('zstd', () => {
  // Our own encoder (src/compress/zstd): the same on every Node.js, with or without zlib's zstd.
  test('the zstd tool decompresses the newc archive and cpio lists its members', async () => {
    const dir = tmp();
    await writeCpio(ramdiskTree(), join(dir, 'x.zst'), { compression: 'zstd' });
    expect(runTool('zstd', ['-t', '-q', join(dir, 'x.zst')]).status).toBe(0);
    const r = runTool('sh', ['-c', 'zstd -dc "$1" | cpio -it --quiet', 'sh', join(dir, 'x.zst')]);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['.', 'boot', 'boot/vmlinuz-6.1.0-10-amd64', 'boot/vmlinuz-6.1.0-9-amd64', 'init', 'sbin', 'sbin/init', 'vmlinuz']);
  });

  test('a zstd level outside 1..22 is an input error naming it, and nothing is written', async () => {
    const dir = tmp();
    const e = await rejection(writeCpio(ramdiskTree(), join(dir, 'x.zst'), { compression: 'zstd', level: 23 }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/zstd compression level 23/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
