/**
 * ldlinux.sys patching against SYSLINUX's own installer (the oracle: Debian's mtools build of
 * `syslinux`, which installs into a FAT image file without mounting). We read the sector list it
 * chose back out of its output (VBR sector pointer, extent list, ADV pointers), patch our copy of
 * ldlinux.sys (found in the syslinux binary by signature) for the same sectors, and expect the same
 * bytes, ADV included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { extractSyslinuxPayloads, findPatchArea, LDLINUX_MAGIC } from '../../src/boot/extlinux-payload.js';
import { ADV_SECTORS, patchLdlinux, readEpa, sectorExtents } from '../../src/boot/ldlinux-patch.js';
import { emptyAdv } from '../../src/boot/syslinux-adv.js';
import { haveTools, runTool, findTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();

test('extents: consecutive sectors merge; a gap or 64 KiB of load splits', () => {
  expect(sectorExtents([10, 11, 12, 20, 21])).toEqual([
    { lba: 10, length: 3 },
    { lba: 20, length: 2 },
  ]);
  // One extent stays below 64 KiB: 127 sectors, then a new one.
  const run = Array.from({ length: 130 }, (_, i) => 1000 + i);
  const ext = sectorExtents(run);
  expect(ext).toEqual([
    { lba: 1000, length: 127 },
    { lba: 1127, length: 3 },
  ]);
  expect(ext.reduce((n, e) => n + e.length, 0)).toBe(130);
  for (const e of ext) expect(e.length * 512).toBeLessThan(65536);
});

test('empty ADV: both copies carry the magics and a checksum over the data', () => {
  const adv = emptyAdv();
  const v = new DataView(adv.buffer);
  for (const base of [0, 512]) {
    expect(v.getUint32(base, true)).toBe(0x5a2d2fa5);
    expect(v.getUint32(base + 4, true)).toBe(0xa3041767);
    expect(v.getUint32(base + 508, true)).toBe(0xdd28bf64);
  }
});

describe.runIf(haveTools('syslinux', 'mkfs.vfat', 'mcopy', 'mmd'))('against syslinux --install (mtools build, oracle)', () => {
  test('same ldlinux.sys bytes for the same sectors; checksum makes the dwords sum to LDLINUX_MAGIC', () => {
    const img = join(tmp(), 'fat.img');
    expect(runTool('mkfs.vfat', ['-F', '16', '-C', img, '32768']).status).toBe(0);
    expect(runTool('mmd', ['-i', img, '::/syslinux']).status).toBe(0);
    const inst = runTool('syslinux', ['--install', '--directory', '/syslinux', img]);
    expect(inst.status, inst.stderr).toBe(0);
    const out = join(tmp(), 'ldlinux.sys');
    expect(runTool('mcopy', ['-n', '-i', img, '::/syslinux/ldlinux.sys', out]).status).toBe(0);
    const theirs = new Uint8Array(readFileSync(out));
    const vbr = new Uint8Array(readFileSync(img).subarray(0, 512));

    const payloads = extractSyslinuxPayloads(new Uint8Array(readFileSync(findTool('syslinux')!)), 'syslinux');
    expect(payloads.bootSector[510]).toBe(0x55);
    expect(Buffer.from(payloads.ldlinuxC32.subarray(0, 4)).toString('latin1')).toBe('\x7fELF');
    const dataSectors = payloads.ldlinuxSys.length / 512;
    expect(theirs.length).toBe(payloads.ldlinuxSys.length + ADV_SECTORS * 512);

    // The sectors syslinux chose, read back from what it wrote.
    const epa = readEpa(theirs);
    const tv = new DataView(theirs.buffer, theirs.byteOffset);
    const vv = new DataView(vbr.buffer);
    const sectors = [vv.getUint32(epa.sect1ptr0, true) + vv.getUint32(epa.sect1ptr1, true) * 2 ** 32];
    for (let i = 0; i < epa.secptrcnt; i++) {
      const lba = Number(tv.getBigUint64(epa.secptroffset + i * 10, true));
      const len = tv.getUint16(epa.secptroffset + i * 10 + 8, true);
      for (let k = 0; k < len; k++) sectors.push(lba + k);
    }
    sectors.push(Number(tv.getBigUint64(epa.advptroffset, true)), Number(tv.getBigUint64(epa.advptroffset + 8, true)));
    expect(sectors.length).toBe(dataSectors + ADV_SECTORS);

    const ours = patchLdlinux(payloads.ldlinuxSys, sectors, '/syslinux');
    expect(Buffer.compare(Buffer.from(ours.sys), Buffer.from(theirs.subarray(0, ours.sys.length)))).toBe(0);
    expect(Buffer.compare(Buffer.from(emptyAdv()), Buffer.from(theirs.subarray(ours.sys.length)))).toBe(0);

    const v = new DataView(ours.sys.buffer);
    let sum = 0;
    for (let i = 0; i < ours.sys.length; i += 4) sum = (sum + v.getUint32(i, true)) >>> 0;
    expect(sum).toBe(LDLINUX_MAGIC);
    expect(findPatchArea(ours.sys)).toBeGreaterThanOrEqual(0);
  });
});
