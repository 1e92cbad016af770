/** Images made by qemu-img (the independent writer) → our decoders → byte-equal to the raw they came from. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openImage, type ImageFormat } from '../../src/formats/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { makeSparseDisk, SPARSE_CASES, writeRaw } from './helpers.js';

const CASES: { name: string; args: string[]; format: ImageFormat; subformat?: string; compressed?: boolean }[] = [
  { name: 'qcow2 v3', args: ['-O', 'qcow2'], format: 'qcow2', subformat: 'compat 1.1' },
  { name: 'qcow2 v2', args: ['-O', 'qcow2', '-o', 'compat=0.10'], format: 'qcow2', subformat: 'compat 0.10' },
  { name: 'qcow2 -c', args: ['-O', 'qcow2', '-c'], format: 'qcow2', compressed: true },
  { name: 'qcow2 -c 4 KiB clusters', args: ['-O', 'qcow2', '-c', '-o', 'cluster_size=4096'], format: 'qcow2', compressed: true },
  { name: 'qcow2 preallocation=metadata', args: ['-O', 'qcow2', '-o', 'preallocation=metadata'], format: 'qcow2' },
  { name: 'qcow2 lazy_refcounts', args: ['-O', 'qcow2', '-o', 'lazy_refcounts=on'], format: 'qcow2' },
  { name: 'qcow2 zstd type, no compressed clusters', args: ['-O', 'qcow2', '-o', 'compression_type=zstd'], format: 'qcow2' },
  { name: 'qcow2 2 MiB clusters', args: ['-O', 'qcow2', '-o', 'cluster_size=2M'], format: 'qcow2' },
  { name: 'vpc dynamic', args: ['-O', 'vpc'], format: 'vhd', subformat: 'dynamic' },
  { name: 'vpc dynamic force_size', args: ['-O', 'vpc', '-o', 'force_size=on'], format: 'vhd', subformat: 'dynamic' },
  { name: 'vpc fixed force_size', args: ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on'], format: 'vhd', subformat: 'fixed' },
  { name: 'vmdk monolithicSparse', args: ['-O', 'vmdk'], format: 'vmdk', subformat: 'monolithicSparse' },
  { name: 'vmdk streamOptimized', args: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'], format: 'vmdk', subformat: 'streamOptimized', compressed: true },
  { name: 'vmdk -c streamOptimized', args: ['-O', 'vmdk', '-c', '-o', 'subformat=streamOptimized'], format: 'vmdk', compressed: true },
  { name: 'vdi', args: ['-O', 'vdi'], format: 'vdi', subformat: 'dynamic' },
  { name: 'vdi static', args: ['-O', 'vdi', '-o', 'static=on'], format: 'vdi', subformat: 'static' },
];

describe.runIf(haveTools('qemu-img'))('decoders read what qemu-img writes', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsdib-decode-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const sc of [SPARSE_CASES[1]!, SPARSE_CASES[2]!, SPARSE_CASES[0]!]) {
    for (const c of CASES) {
      test(`${c.name}: ${sc.name}`, () => {
        const disk = makeSparseDisk(sc);
        const raw = join(dir, `${sc.seed}.raw`);
        writeRaw(disk, raw);
        const img = join(dir, `${sc.seed}-${c.name.replace(/\W+/g, '_')}`);
        const made = runTool('qemu-img', ['convert', '-f', 'raw', ...c.args, raw, img]);
        expect(made.stderr).toBe('');
        const opened = openImage(img);
        try {
          expect(opened.format).toBe(c.format);
          if (c.subformat) expect(opened.info.subformat).toBe(c.subformat);
          if (c.compressed !== undefined && sc.extents > 0) expect(opened.info.compressed).toBe(c.compressed);
          // qemu-img states the virtual size; ours must agree exactly.
          const qinfo = JSON.parse(runTool('qemu-img', ['info', '--output=json', '-f', c.format === 'vhd' ? 'vpc' : c.format, img]).stdout);
          expect(opened.disk.size).toBe(qinfo['virtual-size']);
          const expected = readFileSync(raw);
          const got = Buffer.from(opened.disk.read(0, Math.min(opened.disk.size, expected.length)));
          expect(got.equals(expected.subarray(0, got.length))).toBe(true);
          // readInto a dirty buffer (as encoders reuse one): holes must come out as zeros.
          const dirty = new Uint8Array(got.length).fill(0xee);
          (opened.disk as unknown as { readInto(o: number, t: Uint8Array): void }).readInto(0, dirty);
          expect(Buffer.from(dirty).equals(expected.subarray(0, got.length))).toBe(true);
          // Everything outside dataRanges() reads as zero.
          const fromRanges = Buffer.alloc(opened.disk.size);
          for (const r of opened.disk.dataRanges()) Buffer.from(opened.disk.read(r.offset, r.length)).copy(fromRanges, r.offset);
          expect(fromRanges.subarray(0, got.length).equals(expected.subarray(0, got.length))).toBe(true);
        } finally {
          opened.disk.close();
        }
      });
    }
  }
});

describe.runIf(haveTools('qemu-img', 'qemu-io'))('qcow2 with an internal snapshot', () => {
  test('the active layer is read, not the snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdib-snap-'));
    try {
      const raw = join(dir, 'in.raw');
      writeRaw(makeSparseDisk(SPARSE_CASES[1]!), raw);
      const img = join(dir, 's.qcow2');
      runTool('qemu-img', ['convert', '-O', 'qcow2', raw, img]);
      runTool('qemu-img', ['snapshot', '-c', 'before', img]);
      expect(runTool('qemu-io', ['-c', 'write -P 0x77 0 65536', img]).status).toBe(0);
      const opened = openImage(img);
      const first = Buffer.from(opened.disk.read(0, 65536));
      opened.disk.close();
      expect(first.equals(Buffer.alloc(65536, 0x77))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
