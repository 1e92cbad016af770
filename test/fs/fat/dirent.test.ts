import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeShortEntry, encodeShortEntry } from '../../../src/fs/fat/dirent.js';
import { shortNameBytes } from '../../../src/fs/fat/shortname.js';
import { toFatTime } from '../../../src/fs/fat/time.js';

const mtoolsDir = new Uint8Array(readFileSync(new URL('../../fixtures/fat/mtools-lfn-rootdir.bin', import.meta.url)));

describe('short directory entry (fatgen103 §6)', () => {
  test('decodes the entry mcopy wrote for loader.conf', () => {
    expect(decodeShortEntry(mtoolsDir, 0x20)).toMatchObject({ attr: 0x20, firstCluster: 2, size: 4 });
    expect(String.fromCharCode(...decodeShortEntry(mtoolsDir, 0x20)!.name)).toBe('LOADER~1CON');
    expect(decodeShortEntry(mtoolsDir, 0)).toBeUndefined(); // a long-name piece
    expect(decodeShortEntry(mtoolsDir, 0xc0)).toBeUndefined(); // the end marker
  });

  test('re-encoding mcopy\'s fields gives its bytes back, except the times we do not copy', () => {
    const theirs = mtoolsDir.subarray(0x20, 0x40);
    const d = decodeShortEntry(theirs)!;
    const t = { date: d.writeDate, time: d.writeTime, hundredths: theirs[0x0d]! };
    const ours = encodeShortEntry({ name: d.name, attr: d.attr, ntRes: d.ntRes, created: t, accessed: t, written: t, firstCluster: d.firstCluster, size: d.size });
    expect(ours).toEqual(theirs);
  });

  test('a 32-bit first cluster is split hi/lo; a name starting with 0xE5 is stored as 0x05', () => {
    const t = toFatTime({ sec: 1700000000, nsec: 0 });
    const name = shortNameBytes('XFILE', '');
    name[0] = 0xe5;
    const e = encodeShortEntry({ name, attr: 0x20, ntRes: 0x08, created: t, accessed: t, written: t, firstCluster: 0x0123abcd, size: 0xfffffffe });
    expect([e[0], e[0x14], e[0x15], e[0x1a], e[0x1b]]).toEqual([0x05, 0x23, 0x01, 0xcd, 0xab]);
    expect(decodeShortEntry(e)).toMatchObject({ firstCluster: 0x0123abcd, size: 0xfffffffe, ntRes: 0x08 });
    expect(decodeShortEntry(e)!.name[0]).toBe(0xe5);
  });
});
