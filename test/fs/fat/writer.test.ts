import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, MemoryDisk } from '../../../src/disk/index.js';
import { TsdibError } from '../../../src/errors.js';
import { writeFat, type FatOptions } from '../../../src/fs/fat/index.js';
import { bytesBody, FileTree, hostFileBody, type Body } from '../../../src/tree/index.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { expectFsckClean, extractAll, FAT_ORACLES, minfo, mtools } from './oracle.js';

const tmp = useTmpDir();
const MiB = 1024 * 1024;
const T0 = { sec: 1700000001, nsec: 500_000_000 }; // 2023-11-14T22:13:21.5Z
const text = (s: string) => bytesBody(new TextEncoder().encode(s));

/** Deterministic bytes that are not all alike, so a misplaced cluster shows. */
function pattern(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = salt * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const baseOptions: FatOptions = { serial: 0x1234abcd, label: 'esp', time: 1700000000 };

function build(tree: FileTree, size: number, options: Partial<FatOptions> = {}) {
  const path = join(tmp(), 'fat.img');
  const disk = FileDisk.create(path, size);
  try {
    const result = writeFat(disk, tree, { ...baseOptions, ...options });
    return { path, result };
  } finally {
    disk.close();
  }
}

/** An ESP-like tree: 8.3 names in both cases, long names, an empty file and directory, a binary file. */
function espTree(): { tree: FileTree; expected: Map<string, Uint8Array> } {
  const tree = new FileTree(T0);
  const expected = new Map<string, Uint8Array>();
  const add = (path: string, bytes: Uint8Array) => {
    tree.addFile(path, bytesBody(bytes));
    expected.set(path, bytes);
  };
  add('/EFI/BOOT/BOOTX64.EFI', pattern(70_000, 1));
  add('/loader/loader.conf', new TextEncoder().encode('default debian.conf\ntimeout 0\n'));
  add('/loader/entries/debian.conf', new TextEncoder().encode('title Debian\nlinux /vmlinuz\n'));
  add('/vmlinuz', pattern(300_000, 2));
  add('/Mixed.Txt', new TextEncoder().encode('mixed'));
  add('/readme', new TextEncoder().encode('lower 8.3'));
  add('/empty.bin', new Uint8Array(0));
  add('/Ünïcødé ñame — long.txt', new TextEncoder().encode('unicode'));
  tree.addDir('/empty-dir');
  return { tree, expected };
}

function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Uint8Array>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) expect(Buffer.compare(actual.get(path)!, Buffer.from(bytes)), path).toBe(0);
}

describe.runIf(haveTools(...FAT_ORACLES))('FAT writer against fsck.vfat and mtools', () => {
  test.each([
    [12, 1 * MiB],
    [16, 16 * MiB],
    [32, 80 * MiB],
  ] as const)('FAT%i chosen for %i bytes: clean, and every file reads back with its long name', (type, size) => {
    const { tree, expected } = espTree();
    const { path, result } = build(tree, size);
    expect(result.geometry.type).toBe(type);
    expect(expectFsckClean(path)).toMatch(/: 14 files, /); // 8 files, 5 directories and the root
    const info = minfo(path);
    expect(info).toMatchObject({ type: `FAT${type}`, serial: '1234ABCD', label: 'ESP        ' });
    expect(info.clusterSectors).toBe(result.geometry.sectorsPerCluster);
    const { files, dirs } = extractAll(path, tmp());
    expectSameFiles(files, expected);
    expect(dirs).toEqual(['/EFI', '/EFI/BOOT', '/empty-dir', '/loader', '/loader/entries']);
  });

  test('8.3 names keep their case through the NT flags; others get a long name and a ~N alias', () => {
    const { tree } = espTree();
    const { path } = build(tree, 16 * MiB);
    const listing = mtools('mdir', ['-i', path, '::/']).stdout;
    expect(listing).toMatch(/^readme\s+9 /m); // lower-case base flag, no long name
    expect(listing).toMatch(/^vmlinuz\s+300000 /m);
    expect(listing).toMatch(/^MIXED\s+TXT\s+5 .* Mixed\.Txt$/m); // mixed case: long name, no tail
    expect(listing).toMatch(/^EMPTY-~1\s+<DIR> .* empty-dir$/m);
    expect(mtools('mdir', ['-i', path, '::/loader']).stdout).toMatch(/^LOADER~1\s+CON\s+30 .* loader\.conf$/m);
    expect(listing).toMatch(/Volume in drive : is ESP/);
  });

  test('names colliding in 8.3 get distinct numeric tails around a literal PROGRA~1', () => {
    const tree = new FileTree(T0);
    const names = ['PROGRA~1', 'Program Files', 'Program Data', 'program files (x86)', 'ProgramFiles.d.txt'];
    names.forEach((n, i) => tree.addFile(`/${n}`, text(`file ${i}`)));
    const { path } = build(tree, 2 * MiB);
    expectFsckClean(path);
    const listing = mtools('mdir', ['-i', path, '::/']).stdout;
    // Byte order: "PROGRA~1" < "Program Data" < "Program Files" < "ProgramFiles.d.txt" < "program files (x86)".
    expect(listing).toMatch(/^PROGRA~1\s+6 /m);
    expect(listing).toMatch(/^PROGRA~2\s+6 .* Program Data$/m);
    expect(listing).toMatch(/^PROGRA~3\s+6 .* Program Files$/m);
    expect(listing).toMatch(/^PROGRA~1\s+TXT\s+6 .* ProgramFiles\.d\.txt$/m);
    expect(listing).toMatch(/^PROGRA~4\s+6 .* program files \(x86\)$/m);
    const { files } = extractAll(path, tmp());
    names.forEach((n, i) => expect(files.get(`/${n}`)?.toString()).toBe(`file ${i}`));
  });

  test('a thousand long names in one directory and 700 in the FAT16 root (LFN runs cross clusters)', () => {
    const tree = new FileTree(T0);
    const expected = new Map<string, Uint8Array>();
    for (let i = 0; i < 1000; i++) {
      const p = `/many/a fairly long file name, number ${String(i).padStart(4, '0')}.data`;
      expected.set(p, new TextEncoder().encode(`#${i}`));
      tree.addFile(p, bytesBody(expected.get(p)!));
    }
    for (let i = 0; i < 700; i++) {
      const p = `/root entry ${i}.txt`;
      expected.set(p, new TextEncoder().encode(`r${i}`));
      tree.addFile(p, bytesBody(expected.get(p)!));
    }
    const { path, result } = build(tree, 8 * MiB);
    expect(result.geometry.type).toBe(16);
    expect(result.geometry.rootEntries).toBeGreaterThan(700 * 2);
    expectFsckClean(path);
    expectSameFiles(extractAll(path, tmp()).files, expected);
  });

  test('a deep tree (60 levels) reads back', () => {
    const tree = new FileTree(T0);
    const parts = Array.from({ length: 60 }, (_, i) => `level ${i}`);
    const deep = `/${parts.join('/')}/bottom file.txt`;
    tree.addFile(deep, text('at the bottom'));
    const { path } = build(tree, 64 * MiB, { type: 32 });
    expectFsckClean(path);
    expect(extractAll(path, tmp()).files.get(deep)?.toString()).toBe('at the bottom');
  });

  test.each([[12, 1 * MiB], [16, 8 * MiB], [32, 40 * MiB]] as const)('an empty tree makes a clean, empty FAT%i', (type, size) => {
    const { path, result } = build(new FileTree(T0), size, { type });
    expect(result.usedClusters).toBe(type === 32 ? 1 : 0);
    expect(expectFsckClean(path)).toMatch(/: 1 files, /); // fsck counts the root
    expect(minfo(path).type).toBe(`FAT${type}`);
    expect(extractAll(path, tmp()).files.size).toBe(0);
  });

  test('no label: "NO NAME" in the boot sector and no label entry', () => {
    const { path } = build(new FileTree(T0), 1 * MiB, { label: undefined });
    expect(minfo(path).label).toBe('NO NAME    ');
    expect(mtools('mdir', ['-i', path, '::/']).stdout).toMatch(/Volume in drive : has no label/);
  });

  test('hidden sectors record the partition start', () => {
    const { path } = build(new FileTree(T0), 40 * MiB, { hiddenSectors: 2048 });
    expect(minfo(path).hidden).toBe(2048);
  });

  test('bodies stream from host files in chunks, holes included, across the 1 MiB copy size', () => {
    const dir = tmp();
    const host = join(dir, 'source.bin');
    const data = pattern(3 * MiB + 123, 7);
    writeFileSync(host, data);
    const sparse: Body = {
      size: 2 * MiB + 5,
      segments: [{ offset: MiB + 17, length: 1000, source: { bytes: data, offset: 0 } }],
    };
    const tree = new FileTree(T0);
    tree.addFile('/big.bin', hostFileBody(host, data.length));
    tree.addFile('/sparse.bin', sparse);
    const { path } = build(tree, 16 * MiB);
    expectFsckClean(path);
    const { files } = extractAll(path, tmp());
    expect(Buffer.compare(files.get('/big.bin')!, Buffer.from(data))).toBe(0);
    const want = new Uint8Array(sparse.size);
    want.set(data.subarray(0, 1000), MiB + 17);
    expect(Buffer.compare(files.get('/sparse.bin')!, Buffer.from(want))).toBe(0);
  });

  test('hard links become independent copies (no cross-linked clusters)', () => {
    const tree = new FileTree(T0);
    tree.addFile('/a/original', text('shared body'));
    tree.addHardLink('/b/link', '/a/original');
    const { path, result } = build(tree, 1 * MiB);
    expectFsckClean(path);
    expect(result.usedClusters).toBe(4); // two directories and two one-cluster copies
    const { files } = extractAll(path, tmp());
    expect(files.get('/a/original')?.toString()).toBe('shared body');
    expect(files.get('/b/link')?.toString()).toBe('shared body');
  });

  test('times: 2-second FAT times in UTC; before 1980 clamps to 1980-01-01', () => {
    const tree = new FileTree(T0);
    tree.addFile('/new.txt', text('n'), { mtime: { sec: 1700000001, nsec: 0 } });
    tree.addFile('/old.txt', text('o'), { mtime: { sec: 0, nsec: 0 } });
    const { path } = build(tree, 1 * MiB);
    const { root } = extractAll(path, tmp());
    expect(statSync(join(root, 'new.txt')).mtimeMs / 1000).toBe(1700000000);
    expect(statSync(join(root, 'old.txt')).mtimeMs / 1000).toBe(315532800);
  });

  test('what FAT cannot hold: an error naming the path, or skipped with a warning under lenient', () => {
    const tree = new FileTree(T0);
    tree.addFile('/ok.txt', text('ok'));
    tree.addSymlink('/boot/link', 'target');
    tree.addSpecial('/dev/null', 'char', { rdevMajor: 1, rdevMinor: 3 });
    tree.addFile('/what?.txt', text('?'));
    tree.addFile('/Case', text('1'));
    tree.addFile('/case', text('2'));
    const disk = new MemoryDisk(MiB);
    let error: unknown;
    try {
      writeFat(disk, tree, baseOptions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TsdibError);
    expect((error as TsdibError).exitCode).toBe(2);
    // A directory's own entries are checked before its subdirectories.
    expect((error as TsdibError).toLine()).toBe('/case: FAT ignores case, so it collides with /Case: remove it from the FAT filesystem, or run with --lenient to skip it');

    const warnings: string[] = [];
    const { path, result } = build(tree, MiB, { lenient: true, onWarning: (w) => warnings.push(w) });
    expect(result.skipped).toEqual(['/case', '/what?.txt', '/boot/link', '/dev/null']);
    expect(warnings).toEqual([
      'warning: /case: FAT ignores case, so it collides with /Case; skipped',
      'warning: /what?.txt: its name contains "?", which FAT does not allow; skipped',
      'warning: /boot/link: is a symlink, which FAT cannot hold; skipped',
      'warning: /dev/null: is a char, which FAT cannot hold; skipped',
    ]);
    expectFsckClean(path);
    const out = extractAll(path, tmp());
    expect([...out.files.keys()].sort()).toEqual(['/Case', '/ok.txt']);
    expect(out.dirs).toEqual(['/boot', '/dev']); // the directories stay, empty
  });
});

describe.runIf(haveTools('blkid'))('FAT writer against blkid (what fstab LABEL=/UUID= resolve through)', () => {
  test.each([[12, MiB], [16, 16 * MiB], [32, 40 * MiB]] as const)('FAT%i: TYPE, VERSION, LABEL and the serial as UUID', (type, size) => {
    const { path } = build(espTree().tree, size, { type });
    const r = runTool('blkid', ['-p', '-o', 'export', path]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('TYPE=vfat');
    expect(r.stdout).toContain(`VERSION=FAT${type}`);
    expect(r.stdout).toContain('LABEL=ESP');
    expect(r.stdout).toContain('UUID=1234-ABCD');
  });
});

describe('FAT writer, without oracles', () => {
  test('same tree, options and size → the same bytes; another serial changes only the boot sectors', () => {
    const image = (serial: number) => {
      const disk = new MemoryDisk(80 * MiB);
      writeFat(disk, espTree().tree, { ...baseOptions, serial });
      return disk;
    };
    const a = image(1);
    const b = image(1);
    const c = image(2);
    const ranges = [...a.dataRanges()];
    expect([...b.dataRanges()]).toEqual(ranges);
    const differing: number[] = [];
    for (const r of ranges) {
      expect(Buffer.compare(a.read(r.offset, r.length), b.read(r.offset, r.length))).toBe(0);
      const x = a.read(r.offset, r.length);
      const z = c.read(r.offset, r.length);
      for (let s = 0; s < r.length; s += 512) if (Buffer.compare(x.subarray(s, s + 512), z.subarray(s, s + 512)) !== 0) differing.push((r.offset + s) / 512);
    }
    expect(differing).toEqual([0, 6]); // the boot sector and its FAT32 backup
  });

  test('too small: an exit-2 error saying how big it must be', () => {
    const tree = new FileTree(T0);
    tree.addFile('/big', bytesBody(new Uint8Array(3 * MiB)));
    expect(() => writeFat(new MemoryDisk(2 * MiB), tree, baseOptions)).toThrow(expect.objectContaining({
      message: 'FAT volume of 2 MiB is too small: the files need 6144 clusters of 512 B, it has 4039',
      hint: expect.stringMatching(/^make it at least 3\.\d+ MiB$/),
      exitCode: 2,
    }));
  });

  test('a bad label names the field', () => {
    expect(() => writeFat(new MemoryDisk(MiB), new FileTree(T0), { ...baseOptions, label: 'much too long' })).toThrow(
      'label: FAT label "much too long" is 13 characters, at most 11 fit',
    );
  });

  test('only metadata and data are written: the image stays sparse', () => {
    const disk = new MemoryDisk(550 * MiB);
    writeFat(disk, espTree().tree, baseOptions);
    const written = [...disk.dataRanges()].reduce((n, r) => n + r.length, 0);
    expect(written).toBeLessThan(MiB);
  });
});

describe.runIf(haveTools(...FAT_ORACLES))('full volumes', () => {
  test.each([[12, 2 * MiB], [16, 4 * MiB]] as const)('a FAT%i filled to the last cluster is clean', (type, size) => {
    const probe = build(new FileTree(T0), size, { type, label: undefined }).result.geometry;
    const tree = new FileTree(T0);
    const clusterBytes = probe.sectorsPerCluster * 512;
    tree.addFile('/fill.bin', bytesBody(pattern(probe.clusterCount * clusterBytes, 3)));
    const { path, result } = build(tree, size, { type, label: undefined });
    expect(result.freeClusters).toBe(0);
    expect(expectFsckClean(path)).toContain(`${probe.clusterCount}/${probe.clusterCount} clusters`);
  });
});
