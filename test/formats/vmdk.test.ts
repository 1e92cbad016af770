import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MemoryDisk, RawFileReader, type ReadableDisk } from '../../src/disk/index.js';
import { encodeVmdk, type VmdkOptions } from '../../src/formats/vmdk/encode.js';
import { VmdkDisk } from '../../src/formats/vmdk/decode.js';
import { FileSink } from '../../src/formats/sink.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, qemuInfo, SPARSE_CASES, writeRaw } from './helpers.js';

const BASE: VmdkOptions = { subformat: 'monolithicSparse', adapter: 'ide', cid: 0x12345678, fileName: 'out.vmdk', compressionLevel: 6, threads: 2 };

async function encodeTo(path: string, disk: ReadableDisk, options: Partial<VmdkOptions>) {
  const { sink, close } = FileSink.create(path);
  try {
    await encodeVmdk(disk, sink, { ...BASE, ...options });
  } finally {
    close();
  }
}

describe.runIf(haveTools('qemu-img'))('VMDK encoder against qemu-img', () => {
  const tmp = useTmpDir();
  for (const subformat of ['monolithicSparse', 'streamOptimized'] as const) {
    for (const c of SPARSE_CASES) {
      test(`${subformat}: ${c.name} → check clean, exact size, compare equal`, async () => {
        const dir = tmp();
        const disk = makeSparseDisk(c);
        const raw = join(dir, 'in.raw');
        const out = join(dir, 'out.vmdk');
        writeRaw(disk, raw);
        await encodeTo(out, disk, { subformat });
        const check = runTool('qemu-img', ['check', '-f', 'vmdk', out]);
        expect(check.stdout + check.stderr).toMatch(/No errors were found/);
        expect(check.status).toBe(0);
        const info = qemuInfo(out, 'vmdk');
        expect(info['virtual-size']).toBe(Math.ceil(c.size / 512) * 512);
        expect(info['format-specific']?.data?.['create-type']).toBe(subformat);
        const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'vmdk', raw, out]);
        expect(cmp.stdout).toMatch(/Images are identical/);
        expect(cmp.status).toBe(0);
        const back = new VmdkDisk(new RawFileReader(out), out);
        expect(Buffer.from(back.read(0, c.size)).equals(Buffer.from(disk.read(0, c.size)))).toBe(true);
        back.close();
      });
    }
  }

  test('an empty (0-byte) disk is refused by name', async () => {
    await expect(encodeTo(join(tmp(), 'e.vmdk'), new MemoryDisk(0), {})).rejects.toThrow(/VMDK: an empty \(0-byte\) disk cannot be written/);
  });

  test('streamOptimized output is deterministic across thread counts', async () => {
    const dir = tmp();
    const disk = makeSparseDisk(SPARSE_CASES[4]!);
    await encodeTo(join(dir, 'a.vmdk'), disk, { subformat: 'streamOptimized', threads: 1 });
    await encodeTo(join(dir, 'b.vmdk'), disk, { subformat: 'streamOptimized', threads: 3 });
    expect(readFileSync(join(dir, 'a.vmdk')).equals(readFileSync(join(dir, 'b.vmdk')))).toBe(true);
  });
});
