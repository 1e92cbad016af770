import { join } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { encodeImage, FileSink, openImage } from '../../src/formats/index.js';
import { RawImage } from '../../src/formats/raw-reader.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, SPARSE_CASES, writeRaw } from './helpers.js';

describe('raw', () => {
  const tmp = useTmpDir();
  for (const c of SPARSE_CASES) {
    test(`${c.name}: byte-equal, exact size, holes stay holes`, async () => {
      const dir = tmp();
      const disk = makeSparseDisk(c);
      const out = join(dir, 'out.raw');
      const { sink, close } = FileSink.create(out);
      await encodeImage(disk, 'raw', sink, { seed: 's', epoch: 0, fileName: 'out.raw' });
      close();
      const bytes = readFileSync(out);
      expect(bytes.length).toBe(c.size);
      expect(bytes.equals(Buffer.from(disk.read(0, c.size)))).toBe(true);
      let data = 0;
      for (const r of disk.dataRanges()) data += r.length;
      // Allocated blocks: at most the data rounded out to 64 KiB units (plus filesystem slack), never the whole size.
      expect(statSync(out).blocks * 512).toBeLessThanOrEqual(data + (c.extents + 2) * 2 * 65536);
    });
  }

  test.runIf(haveTools('qemu-img'))('a raw file read through RawImage (reused buffers) encodes to an equal qcow2', async () => {
    const dir = tmp();
    const disk = makeSparseDisk(SPARSE_CASES[4]!);
    const raw = join(dir, 'in.raw');
    writeRaw(disk, raw);
    const img = openImage(raw);
    expect(img.format).toBe('raw');
    expect(img.disk).toBeInstanceOf(RawImage);
    const out = join(dir, 'out.qcow2');
    const { sink, close } = FileSink.create(out);
    await encodeImage(img.disk, 'qcow2', sink, { seed: 's', epoch: 0, fileName: 'out.qcow2' });
    close();
    img.disk.close();
    expect(runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', raw, out]).status).toBe(0);
    expect(runTool('qemu-img', ['check', out]).status).toBe(0);
  });
});
