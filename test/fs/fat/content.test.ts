import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../../src/errors.js';
import { clustersNeeded, collectFat, longNameProblem } from '../../../src/fs/fat/content.js';
import { shortNameText } from '../../../src/fs/fat/shortname.js';
import { bytesBody, FileTree } from '../../../src/tree/index.js';

const empty = bytesBody(new Uint8Array(0));

describe('FAT content', () => {
  test('slots: ".", "..", long pieces and short entries; the root counts the label', () => {
    const t = new FileTree();
    t.addFile('/dir/SHORT.TXT', empty); // 1 slot
    t.addFile('/dir/a name that is 27 chars.txt', empty); // 3 long + 1
    const c = collectFat(t, { hasLabel: true });
    expect(c.root.slots).toBe(1 + 1); // label + DIR
    const dir = c.root.entries[0]!.node;
    expect(dir.kind === 'dir' && dir.slots).toBe(2 + 1 + 4);
    expect(dir.kind === 'dir' && dir.entries.map((e) => [e.name, shortNameText(e.shortName), e.longName])).toEqual([
      ['SHORT.TXT', 'SHORT.TXT', false],
      ['a name that is 27 chars.txt', 'ANAMET~1.TXT', true],
    ]);
  });

  test('clusters: files by size, directories by slots, the root only on FAT32', () => {
    const t = new FileTree();
    t.addFile('/a', bytesBody(new Uint8Array(1025)));
    t.addFile('/sub/b', bytesBody(new Uint8Array(512)));
    const c = collectFat(t, { hasLabel: false });
    expect(clustersNeeded(c, 512, false)).toBe(3 + 1 + 1);
    expect(clustersNeeded(c, 512, true)).toBe(3 + 1 + 1 + 1);
  });

  test.each([
    ['x'.repeat(256), 'its name is 256 UTF-16 units long, FAT allows 255'],
    ['a:b', 'its name contains ":", which FAT does not allow'],
    ['tab\there', 'its name contains "\\t", which FAT does not allow'],
    ['trailing.', 'its name ends with a dot or a space, which FAT drivers strip'],
    ['trailing ', 'its name ends with a dot or a space, which FAT drivers strip'],
  ])('long name %j is refused: %s', (name, why) => {
    expect(longNameProblem(name)).toBe(why);
  });

  test('a subtree Inode can be the root; a file cannot', () => {
    const t = new FileTree();
    t.addFile('/boot/efi/EFI/BOOT/BOOTX64.EFI', empty);
    const c = collectFat(t.lookup('/boot/efi')!, { hasLabel: false });
    expect(c.root.entries.map((e) => e.name)).toEqual(['EFI']);
    expect(() => collectFat(t.lookup('/boot/efi/EFI/BOOT/BOOTX64.EFI')!, { hasLabel: false })).toThrow(TsdibError);
  });

  test('more than 65536 slots in one directory is an error naming it', () => {
    const t = new FileTree();
    for (let i = 0; i < 16400; i++) t.addFile(`/big/a long name to need four slots ${i}`, empty);
    expect(() => collectFat(t, { hasLabel: false })).toThrow(/^\/big: needs \d+ directory entries, FAT allows 65536 per directory$/);
  });
});
