import { describe, expect, test } from 'vitest';
import { collectFat } from '../../../src/fs/fat/content.js';
import { decodeShortEntry } from '../../../src/fs/fat/dirent.js';
import { encodeDirectory } from '../../../src/fs/fat/directory.js';
import { decodeLfnPiece } from '../../../src/fs/fat/lfn.js';
import { bytesBody, FileTree } from '../../../src/tree/index.js';

const name = (b: Uint8Array | undefined) => String.fromCharCode(...b!);

describe('directory encoding (fatgen103 §6)', () => {
  const tree = new FileTree({ sec: 1700000000, nsec: 0 });
  tree.addFile('/sub/Long Name.txt', bytesBody(new Uint8Array(3)), { mode: 0o444 });
  const content = collectFat(tree, { hasLabel: true });
  const sub = content.root.entries[0]!.node;

  test('the root starts with the volume label; padding is zeros', () => {
    const bytes = encodeDirectory(content.root, { self: 0, parent: 0, isRoot: true, clusterOf: () => 5, label: 'ESP        ', time: 0 }, 512);
    expect(name(bytes.subarray(0, 11))).toBe('ESP        ');
    expect(bytes[11]).toBe(0x08);
    expect(decodeShortEntry(bytes, 32)).toMatchObject({ attr: 0x10, firstCluster: 5 });
    expect(bytes.subarray(64).every((b) => b === 0)).toBe(true);
  });

  test('a subdirectory starts with "." (itself) and ".." (its parent); read-only files get ATTR_READ_ONLY', () => {
    if (sub.kind !== 'dir') throw new Error('expected a directory');
    const bytes = encodeDirectory(sub, { self: 7, parent: 0, isRoot: false, clusterOf: () => 9, time: 0 }, 2048);
    expect(decodeShortEntry(bytes, 0)).toMatchObject({ attr: 0x10, firstCluster: 7 });
    expect(name(decodeShortEntry(bytes, 0)!.name)).toBe('.          ');
    expect(decodeShortEntry(bytes, 32)).toMatchObject({ attr: 0x10, firstCluster: 0 });
    expect(name(decodeShortEntry(bytes, 32)!.name)).toBe('..         ');
    expect(decodeLfnPiece(bytes, 64)).toMatchObject({ ordinal: 1, last: true, text: 'Long Name.txt' });
    expect(decodeShortEntry(bytes, 96)).toMatchObject({ attr: 0x21, firstCluster: 9, size: 3 });
  });
});
