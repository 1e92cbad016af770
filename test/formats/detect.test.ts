import { join } from 'node:path';
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { detectFormat } from '../../src/formats/detect.js';
import { RawImage } from '../../src/formats/raw-reader.js';
import { MemoryDisk } from '../../src/disk/index.js';
import { encodeImage, FileSink, IMAGE_FORMATS } from '../../src/formats/index.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('detectFormat picks by magic, not by name', () => {
  const tmp = useTmpDir();
  test('every format we write is detected under a misleading name', async () => {
    const dir = tmp();
    const disk = new MemoryDisk(3 * 1048576);
    disk.write(1000, new Uint8Array(5000).fill(3));
    for (const f of IMAGE_FORMATS) {
      const p = join(dir, `image-${f}.raw.qcow2.vhd`);
      const { sink, close } = FileSink.create(p);
      await encodeImage(disk, f, sink, { seed: 's', epoch: 0, fileName: 'x' });
      close();
      const src = new RawImage(p);
      expect(detectFormat(src)).toBe(f);
      src.close();
    }
  });
  test('a qemu-made qcow2 named .vmdk is qcow2; a text file is raw', () => {
    const dir = tmp();
    const p = join(dir, 'x.vmdk');
    copyFileSync(fileURLToPath(new URL('../fixtures/formats/qemu-c-4k.qcow2', import.meta.url)), p);
    const a = new RawImage(p);
    expect(detectFormat(a)).toBe('qcow2');
    a.close();
    writeFileSync(join(dir, 't.qcow2'), 'just text\n');
    const b = new RawImage(join(dir, 't.qcow2'));
    expect(detectFormat(b)).toBe('raw');
    b.close();
  });
});
