import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MemoryDisk, RawFileReader } from '../../src/disk/index.js';
import { encodeQcow2, QCOW2_DEFAULTS, type Qcow2Options } from '../../src/formats/qcow2/encode.js';
import { Qcow2Disk } from '../../src/formats/qcow2/decode.js';
import { FileSink } from '../../src/formats/sink.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, qemuInfo, SPARSE_CASES, writeRaw } from './helpers.js';
import type { ReadableDisk } from '../../src/disk/index.js';

async function encodeTo(path: string, disk: ReadableDisk, options: Partial<Qcow2Options>) {
  const { sink, close } = FileSink.create(path);
  try {
    await encodeQcow2(disk, sink, { ...QCOW2_DEFAULTS, ...options });
  } finally {
    close();
  }
}

describe.runIf(haveTools('qemu-img'))('qcow2 encoder against qemu-img', () => {
  const tmp = useTmpDir();
  const variants: [string, Partial<Qcow2Options>][] = [
    ['v3', {}],
    ['v2 (compat 0.10)', { compat: '0.10' }],
    ['v3 compressed', { compress: true, threads: 2 }],
    ['v3 4 KiB clusters', { clusterSize: 4096 }],
    ['v2 512 B clusters compressed', { compat: '0.10', clusterSize: 512, compress: true, threads: 2 }],
  ];
  for (const [vname, options] of variants) {
    for (const c of SPARSE_CASES) {
      test(`${vname}: ${c.name} → check clean, exact size, compare equal`, async () => {
        const dir = tmp();
        const disk = makeSparseDisk(c);
        const raw = join(dir, 'in.raw');
        const out = join(dir, 'out.qcow2');
        writeRaw(disk, raw);
        await encodeTo(out, disk, options);
        const check = runTool('qemu-img', ['check', '-f', 'qcow2', out]);
        expect(check.stdout + check.stderr).toMatch(/No errors were found/);
        expect(check.status).toBe(0);
        const info = qemuInfo(out, 'qcow2');
        expect(info['virtual-size']).toBe(Math.ceil(c.size / 512) * 512);
        expect(info['format-specific']?.data?.['compat']).toBe(options.compat ?? '1.1');
        const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', raw, out]);
        expect(cmp.stdout).toMatch(/Images are identical/);
        expect(cmp.status).toBe(0);
        // Our own decoder agrees too (qemu-img is the oracle above; this checks the reader).
        const back = new Qcow2Disk(new RawFileReader(out), out);
        expect(Buffer.from(back.read(0, c.size)).equals(Buffer.from(disk.read(0, c.size)))).toBe(true);
        back.close();
      });
    }
  }

  test('an empty (0-byte) disk: no L1 table, check clean', async () => {
    const out = join(tmp(), 'empty.qcow2');
    await encodeTo(out, new MemoryDisk(0), {});
    expect(runTool('qemu-img', ['check', out]).status).toBe(0);
    expect(qemuInfo(out)['virtual-size']).toBe(0);
  });

  test('all-zero clusters are not allocated; compressed output is deterministic', async () => {
    const dir = tmp();
    const disk = makeSparseDisk(SPARSE_CASES[1]!);
    await encodeTo(join(dir, 'a.qcow2'), disk, { compress: true, threads: 3 });
    await encodeTo(join(dir, 'b.qcow2'), disk, { compress: true, threads: 1 });
    const a = runTool('cmp', [join(dir, 'a.qcow2'), join(dir, 'b.qcow2')]);
    expect(a.status).toBe(0);
    const map = JSON.parse(runTool('qemu-img', ['map', '--output=json', '-f', 'qcow2', join(dir, 'a.qcow2')]).stdout) as { start: number; length: number; data: boolean }[];
    const dataBytes = map.filter((m) => m.data).reduce((n, m) => n + m.length, 0);
    let expected = 0;
    for (let o = 0; o < disk.size; o += 65536) if (!disk.read(o, Math.min(65536, disk.size - o)).every((b) => b === 0)) expected += 65536;
    expect(dataBytes).toBe(expected);
  });
});
