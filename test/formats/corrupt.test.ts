/** Truncated or corrupt containers: one input error naming the file and the structure. */
import { join } from 'node:path';
import { readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../src/disk/index.js';
import { encodeImage, FileSink, openImage, type ImageFormat } from '../../src/formats/index.js';
import { TsdibError } from '../../src/errors.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

/** A small disk with data in its first block and near its end. */
function smallDisk(): MemoryDisk {
  const d = new MemoryDisk(6 * 1048576);
  d.write(0, new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff));
  d.write(5 * 1048576, new Uint8Array(70_000).fill(0x5a));
  return d;
}

async function make(path: string, format: ImageFormat, options: Record<string, string> = {}, compress = false): Promise<Buffer> {
  const { sink, close } = FileSink.create(path);
  try {
    await encodeImage(smallDisk(), format, sink, { seed: 's', epoch: 1700000000, fileName: 'x', options, compress, threads: 1 });
  } finally {
    close();
  }
  return readFileSync(path);
}

/** Opens and reads the whole image, as convert does; returns the error. */
function readAll(path: string, format?: ImageFormat): TsdibError {
  try {
    const img = openImage(path, format);
    try {
      for (const r of img.disk.dataRanges()) img.disk.read(r.offset, r.length);
    } finally {
      img.disk.close();
    }
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    expect((e as TsdibError).exitCode).toBe(2);
    expect((e as TsdibError).toLine()).not.toContain('\n');
    expect((e as TsdibError).message).toContain(path);
    return e as TsdibError;
  }
  throw new Error('expected an error');
}

describe('corrupt containers are refused by structure', () => {
  const tmp = useTmpDir();

  test('qcow2: bad magic when qcow2 is asked for', async () => {
    const p = join(tmp(), 'a.raw');
    writeFileSync(p, Buffer.alloc(4096, 1));
    expect(readAll(p, 'qcow2').message).toMatch(/qcow2 header: bad magic/);
  });

  test('qcow2: L1 entry past the end of the file', async () => {
    const p = join(tmp(), 'a.qcow2');
    const b = await make(p, 'qcow2');
    b.writeBigUInt64BE(0x8000_0000_4000_0000n, 65536); // L1[0] → 1 GiB, copied flag set
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/qcow2 L1 entry 0 points to offset 1073741824, past the end/);
  });

  test('qcow2: L2 entry past the end of the file', async () => {
    const p = join(tmp(), 'a.qcow2');
    const b = await make(p, 'qcow2');
    const l2 = Number(b.readBigUInt64BE(65536) & 0x00ff_ffff_ffff_fe00n);
    b.writeBigUInt64BE(0x8000_0000_4000_0000n, l2);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/qcow2 L2 entry for cluster 0 points to offset 1073741824, past the end/);
  });

  test('qcow2: truncated file', async () => {
    const p = join(tmp(), 'a.qcow2');
    const b = await make(p, 'qcow2');
    truncateSync(p, Math.floor(b.length / 2));
    expect(readAll(p).message).toMatch(/qcow2 (refcount table|L2 table|L1 entry|data cluster).*past the end/);
  });

  test('qcow2: refcount order that overflows 64-bit refcounts', async () => {
    const p = join(tmp(), 'a.qcow2');
    const b = await make(p, 'qcow2');
    b.writeUInt32BE(7, 96);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/refcount_order 7 overflows/);
  });

  test('qcow2: compressed cluster that does not inflate', async () => {
    const p = join(tmp(), 'a.qcow2');
    const b = await make(p, 'qcow2', {}, true);
    const l2 = Number(b.readBigUInt64BE(65536) & 0x00ff_ffff_ffff_fe00n);
    const entry = b.readBigUInt64BE(l2);
    const host = Number(entry & ((1n << 54n) - 1n));
    b.fill(0xff, host, host + 64);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/qcow2 compressed cluster 0 at offset \d+ does not inflate/);
  });

  test.runIf(haveTools('qemu-img'))('qcow2: a backing file is refused with what to do', () => {
    const dir = tmp();
    runTool('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '1M']);
    runTool('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(dir, 'base.qcow2'), '-F', 'qcow2', join(dir, 'top.qcow2')]);
    expect(readAll(join(dir, 'top.qcow2')).toLine()).toMatch(/has a backing file: flatten it first/);
  });

  test.runIf(haveTools('qemu-img'))('qcow2: zstd-compressed clusters and extended L2 entries are refused by name', () => {
    const dir = tmp();
    const raw = join(dir, 'in.raw');
    writeFileSync(raw, Buffer.alloc(1048576, 0x61));
    runTool('qemu-img', ['convert', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd', raw, join(dir, 'z.qcow2')]);
    expect(readAll(join(dir, 'z.qcow2')).message).toMatch(/compressed cluster 0 uses compression type 1 \(zstd\)/);
    runTool('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on', join(dir, 'e.qcow2'), '1M']);
    expect(readAll(join(dir, 'e.qcow2')).message).toMatch(/extended L2 entries \(subclusters\) are not supported/);
  });

  test('vhd: BAT entry past the end of the file', async () => {
    const p = join(tmp(), 'a.vhd');
    const b = await make(p, 'vhd');
    b.writeUInt32BE(0x00ff_fff0, 1536);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/VHD BAT entry 0 points to sector 16777200, past the end/);
  });

  test('vhd: footer checksum mismatch', async () => {
    const p = join(tmp(), 'a.vhd');
    const b = await make(p, 'vhd', { subformat: 'fixed' });
    b[b.length - 512 + 30] ^= 0x20; // creator application
    writeFileSync(p, b);
    expect(readAll(p, 'vhd').message).toMatch(/VHD footer checksum mismatch/);
  });

  test('vhd: dynamic VHD cut before its footer', async () => {
    const p = join(tmp(), 'a.vhd');
    const b = await make(p, 'vhd');
    truncateSync(p, b.length - 512);
    expect(readAll(p, 'vhd').message).toMatch(/VHD footer missing at the end of the file/);
  });

  test('vmdk: grain directory entry past the end of the file', async () => {
    const p = join(tmp(), 'a.vmdk');
    const b = await make(p, 'vmdk');
    const gd = Number(b.readBigUInt64LE(56)) * 512;
    b.writeUInt32LE(0x0fff_ffff, gd);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/VMDK grain directory entry 0 points to sector 268435455, past the end/);
  });

  test('vmdk: streamOptimized cut short (footer lost)', async () => {
    const p = join(tmp(), 'a.vmdk');
    const b = await make(p, 'vmdk', { subformat: 'streamOptimized' });
    truncateSync(p, b.length - 4096);
    expect(readAll(p).message).toMatch(/VMDK footer: bad magic/);
  });

  test('vdi: block map entry past the end of the file', async () => {
    const p = join(tmp(), 'a.vdi');
    const b = await make(p, 'vdi');
    b.writeUInt32LE(0x00ff_ffff, 512);
    writeFileSync(p, b);
    expect(readAll(p).message).toMatch(/VDI block map entry 0 points to block 16777215, past the end/);
  });
});
