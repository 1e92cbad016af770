import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { RawFileReader, MemoryDisk, type ReadableDisk } from '../../src/disk/index.js';
import { encodeVhd, type VhdOptions } from '../../src/formats/vhd/encode.js';
import { VhdDisk } from '../../src/formats/vhd/decode.js';
import { chsFor } from '../../src/formats/vhd/geometry.js';
import { FileSink } from '../../src/formats/sink.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, qemuInfo, SPARSE_CASES, writeRaw } from './helpers.js';

const BASE: VhdOptions = { subformat: 'dynamic', forceSize: true, creator: 'qemu', azure: false, epoch: 1700000000, uniqueId: new Uint8Array(16).fill(7) };

async function encodeTo(path: string, disk: ReadableDisk, options: Partial<VhdOptions>) {
  const { sink, close } = FileSink.create(path);
  try {
    await encodeVhd(disk, sink, { ...BASE, ...options });
  } finally {
    close();
  }
}

describe('VHD geometry (VHD spec appendix)', () => {
  test('known geometries', () => {
    // 127 GiB and up: the largest geometry; small disks: 17 sectors per track, at least 4 heads.
    expect(chsFor(65535 * 16 * 255 + 10)).toEqual({ cylinders: 65535, heads: 16, sectorsPerTrack: 255 });
    expect(chsFor(20480)).toEqual({ cylinders: 301, heads: 4, sectorsPerTrack: 17 });
  });
});

describe.runIf(haveTools('qemu-img'))('VHD encoder against qemu-img', () => {
  const tmp = useTmpDir();
  const variants: [string, Partial<VhdOptions>][] = [
    ['dynamic', {}],
    ['fixed', { subformat: 'fixed' }],
    ['dynamic, creator win', { creator: 'win' }],
    ['fixed, creator tap', { subformat: 'fixed', creator: 'tap' }],
  ];
  for (const [vname, options] of variants) {
    for (const c of SPARSE_CASES) {
      test(`${vname}: ${c.name} → exact size, compare equal`, async () => {
        const dir = tmp();
        const disk = makeSparseDisk(c);
        const raw = join(dir, 'in.raw');
        const out = join(dir, 'out.vhd');
        writeRaw(disk, raw);
        await encodeTo(out, disk, options);
        const info = qemuInfo(out, 'vpc');
        expect(info['virtual-size']).toBe(Math.ceil(c.size / 512) * 512);
        const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'vpc', raw, out]);
        expect(cmp.stdout).toMatch(/Images are identical/);
        expect(cmp.status).toBe(0);
        const back = new VhdDisk(new RawFileReader(out), out);
        expect(Buffer.from(back.read(0, c.size)).equals(Buffer.from(disk.read(0, c.size)))).toBe(true);
        back.close();
      });
    }
  }

  test('our footers match the ones qemu-img writes: creator, sizes, CHS geometry (with and without force_size)', async () => {
    const dir = tmp();
    for (const size of [10 * 1048576, 100 * 1048576 + 512, 1258291200, 40 * 2 ** 30, 200 * 2 ** 30]) {
      for (const force of [true, false]) {
        const p = join(dir, `q${size}${force}.vhd`);
        expect(runTool('qemu-img', ['create', '-q', '-f', 'vpc', '-o', `force_size=${force ? 'on' : 'off'}`, p, String(size)]).status).toBe(0);
        const theirs = new VhdDisk(new RawFileReader(p), p); // verifies their checksum too
        const o = join(dir, `o${size}${force}.vhd`);
        await encodeTo(o, new MemoryDisk(size), { forceSize: force });
        const ours = new VhdDisk(new RawFileReader(o), o);
        for (const field of ['creatorApp', 'currentSize', 'originalSize', 'geometry', 'diskType', 'dataOffset'] as const) {
          expect([size, force, field, ours.footer[field]]).toEqual([size, force, field, theirs.footer[field]]);
        }
        expect(ours.size).toBe(theirs.size);
        theirs.close();
        ours.close();
      }
    }
  });

  test('force_size=off rounds up to the CHS geometry exactly as qemu-img does', async () => {
    const dir = tmp();
    const size = 1258291200;
    const disk = new MemoryDisk(size);
    disk.write(size - 512, new Uint8Array(512).fill(9));
    await encodeTo(join(dir, 'ours.vhd'), disk, { forceSize: false });
    runTool('qemu-img', ['create', '-q', '-f', 'vpc', join(dir, 'theirs.vhd'), String(size)]);
    expect(qemuInfo(join(dir, 'ours.vhd'), 'vpc')['virtual-size']).toBe(1258758144);
    expect(qemuInfo(join(dir, 'theirs.vhd'), 'vpc')['virtual-size']).toBe(1258758144);
  });

  test('same epoch and id give byte-identical output', async () => {
    const dir = tmp();
    const disk = makeSparseDisk(SPARSE_CASES[1]!);
    await encodeTo(join(dir, 'a.vhd'), disk, {});
    await encodeTo(join(dir, 'b.vhd'), disk, {});
    expect(readFileSync(join(dir, 'a.vhd')).equals(readFileSync(join(dir, 'b.vhd')))).toBe(true);
  });

  test('azure=on names every broken rule', async () => {
    const dir = tmp();
    const disk = new MemoryDisk(3 * 1048576 + 512);
    await expect(encodeTo(join(dir, 'x.vhd'), disk, { azure: true })).rejects.toThrow(/subformat=fixed.*whole number of MiB/);
    await encodeTo(join(dir, 'ok.vhd'), new MemoryDisk(3 * 1048576), { azure: true, subformat: 'fixed' });
  });

  test('a corrupted footer checksum is refused by name', async () => {
    const dir = tmp();
    const out = join(dir, 'c.vhd');
    await encodeTo(out, makeSparseDisk(SPARSE_CASES[1]!), { subformat: 'fixed' });
    const bytes = readFileSync(out);
    bytes[bytes.length - 512 + 48 + 7] ^= 1; // current_size, last byte
    writeFileSync(out, bytes);
    expect(() => new VhdDisk(new RawFileReader(out), out)).toThrow(/VHD footer checksum mismatch/);
  });
});
