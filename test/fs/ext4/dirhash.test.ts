import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk } from '../../../src/disk/index.js';
import { dirHasher } from '../../../src/fs/ext4/dirhash.js';
import { writeExt4 } from '../../../src/fs/ext4/index.js';
import { FileTree } from '../../../src/tree/index.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';

const tmp = useTmpDir();
const SEED = '11111111-2222-3333-4444-555555555555';
const seedBytes = Uint8Array.from(Buffer.from(SEED.replace(/-/g, ''), 'hex'));
const NAMES = ['a', 'hello', 'lost+found', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), 'name-of-forty-bytes-exactly-0123456789ab', 'héllo-ünïcode-ß', 'w'.repeat(255)];

describe.runIf(haveTools('debugfs'))('directory hashes agree with debugfs dx_hash', () => {
  // dx_hash needs an image to open; any small ext4 will do.
  const image = () => {
    const path = join(tmp(), 'any.ext4');
    const disk = FileDisk.create(path, 1024 * 1024);
    writeExt4(disk, new FileTree(), { seed: 's', time: 0 });
    disk.close();
    return path;
  };
  const debugfsHash = (img: string, alg: string, name: string) => {
    const out = runTool('debugfs', ['-R', `dx_hash -h ${alg} -s ${SEED} ${name}`, img]).stdout;
    const m = /is 0x([0-9a-f]+) \(minor 0x([0-9a-f]+)\)/.exec(out);
    if (!m) throw new Error(`dx_hash: ${out}`);
    return { major: parseInt(m[1]!, 16), minor: parseInt(m[2]!, 16) };
  };

  test.each([
    ['half_md4', 1],
    ['tea', 2],
  ] as const)('%s (signed chars, as x86 mke2fs sets)', (alg, version) => {
    const img = image();
    const h = dirHasher(version, seedBytes, false);
    for (const name of NAMES) expect([name, h.hash(Buffer.from(name))]).toEqual([name, debugfsHash(img, alg, name)]);
  });

});

describe('dirHasher', () => {
  test('unsigned chars (s_flags unsigned_directory_hash) change the hash only for bytes >= 0x80', () => {
    const unsigned = dirHasher(1, seedBytes, true);
    const signed = dirHasher(1, seedBytes, false);
    expect(unsigned.major(Buffer.from('hello'))).toBe(signed.major(Buffer.from('hello')));
    expect(unsigned.major(Buffer.from('héllo'))).not.toBe(signed.major(Buffer.from('héllo')));
  });
  test('an all-zero seed means the default MD4 start (same hash as no seed at all)', () => {
    const zero = dirHasher(1, new Uint8Array(16), false);
    const md4Start = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10]);
    expect(zero.hash(Buffer.from('abc'))).toEqual(dirHasher(1, md4Start, false).hash(Buffer.from('abc')));
  });
  test('the low bit of the major hash is always clear (it marks collisions in the index)', () => {
    const h = dirHasher(1, seedBytes, false);
    for (let i = 0; i < 500; i++) expect(h.major(Buffer.from(`name-${i}`)) & 1).toBe(0);
  });
});
