import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RawFileReader, type ReadableDisk } from '../../src/disk/index.js';
import { encodeVdi } from '../../src/formats/vdi/encode.js';
import { VdiDisk } from '../../src/formats/vdi/decode.js';
import { FileSink } from '../../src/formats/sink.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, qemuInfo, SPARSE_CASES, writeRaw } from './helpers.js';

async function encodeTo(path: string, disk: ReadableDisk) {
  const { sink, close } = FileSink.create(path);
  try {
    await encodeVdi(disk, sink, { uuidImage: new Uint8Array(16).fill(1), uuidLastSnap: new Uint8Array(16).fill(2) });
  } finally {
    close();
  }
}

describe.runIf(haveTools('qemu-img'))('VDI encoder against qemu-img', () => {
  const tmp = useTmpDir();
  for (const c of SPARSE_CASES) {
    test(`dynamic: ${c.name} → check clean, exact size, compare equal`, async () => {
      const dir = tmp();
      const disk = makeSparseDisk(c);
      const raw = join(dir, 'in.raw');
      const out = join(dir, 'out.vdi');
      writeRaw(disk, raw);
      await encodeTo(out, disk);
      const check = runTool('qemu-img', ['check', '-f', 'vdi', out]);
      expect(check.stdout + check.stderr).toMatch(/No errors were found/);
      expect(check.status).toBe(0);
      expect(qemuInfo(out, 'vdi')['virtual-size']).toBe(Math.ceil(c.size / 512) * 512);
      const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'vdi', raw, out]);
      expect(cmp.stdout).toMatch(/Images are identical/);
      expect(cmp.status).toBe(0);
      const back = new VdiDisk(new RawFileReader(out), out);
      expect(Buffer.from(back.read(0, c.size)).equals(Buffer.from(disk.read(0, c.size)))).toBe(true);
      back.close();
    });
  }
});
