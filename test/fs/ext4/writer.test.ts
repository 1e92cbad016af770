import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk } from '../../../src/disk/index.js';
import { TsdibError } from '../../../src/errors.js';
import { autoSize, planExt4, writeExt4, type Ext4Options } from '../../../src/fs/ext4/index.js';
import { bytesBody, FileTree, type Body } from '../../../src/tree/index.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { debugfs, dump, dumpe2fsHeader, eaGet, fsck, stat } from './oracle.js';

const tmp = useTmpDir();
const enc = new TextEncoder();
const T0 = { sec: 1700000000, nsec: 0 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A body with data only in the given [offset, bytes] pieces (holes elsewhere). */
function sparseBody(size: number, pieces: [number, Uint8Array][]): Body {
  return { size, segments: pieces.map(([offset, bytes]) => ({ offset, length: bytes.length, source: { bytes, offset: 0 } })) };
}

function pattern(n: number, salt: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + salt + (i >> 12)) & 0xff;
  return b;
}

/** Writes `tree` to a new image (automatic size unless `size`); returns its path and the result. */
function makeImage(tree: FileTree, options: Partial<Ext4Options> = {}, size?: number) {
  const opts: Ext4Options = { seed: 'test', time: T0.sec, ...options };
  const plan = planExt4(tree, opts);
  const path = join(tmp(), 'fs.ext4');
  const disk = FileDisk.create(path, size ?? autoSize(plan, opts));
  try {
    const result = writeExt4(disk, tree, opts, plan);
    return { path, result };
  } finally {
    disk.close();
  }
}

const CAP_SETUID = Uint8Array.from([0x01, 0x00, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);

/** POSIX ACL in the xattr v2 encoding: user::rwx user:1000:r-x group::r-x mask::r-x other::r-x */
function aclXattr(): Uint8Array {
  const entries: [number, number, number][] = [
    [0x01, 7, 0xffffffff],
    [0x02, 5, 1000],
    [0x04, 5, 0xffffffff],
    [0x10, 5, 0xffffffff],
    [0x20, 5, 0xffffffff],
  ];
  const b = new Uint8Array(4 + entries.length * 8);
  const v = new DataView(b.buffer);
  v.setUint32(0, 2, true);
  entries.forEach(([tag, perm, id], k) => {
    v.setUint16(4 + 8 * k, tag, true);
    v.setUint16(6 + 8 * k, perm, true);
    v.setUint32(8 + 8 * k, id, true);
  });
  return b;
}

/**
 * debugfs turns ext4 ACLs back into the xattr encoding with id 0 in the entries that carry no id
 * (USER_OBJ, GROUP_OBJ, MASK, OTHER), where the kernel writes -1; those ids mean nothing, so compare
 * without them.
 */
function aclIdsNormalised(value: Uint8Array): Uint8Array {
  const b = value.slice();
  const v = new DataView(b.buffer);
  for (let at = 4; at + 8 <= b.length; at += 8) {
    const tag = v.getUint16(at, true);
    if (tag !== 0x02 && tag !== 0x08) v.setUint32(at + 4, 0, true);
  }
  return b;
}

/** Every kind of entry the writer handles. */
function edgeTree(): FileTree {
  const t = new FileTree(T0);
  const ns = (sec: number, nsec: number) => ({ sec, nsec });
  t.addDir('etc', { mode: 0o755, mtime: ns(1600000000, 123456789), atime: ns(1600000001, 1), ctime: ns(1600000002, 999999999) });
  t.addFile('etc/hostname', bytesBody(enc.encode('tsdib\n')), { mode: 0o644 });
  t.addFile('empty', bytesBody(new Uint8Array(0)));
  t.addFile('tiny', bytesBody(enc.encode('x')), { uid: 70000, gid: 100000, mode: 0o600 });
  t.addFile('exact-2-blocks', bytesBody(pattern(8192, 1)));
  t.addFile('big', bytesBody(pattern(3 * 1024 * 1024 + 17, 2)), { mtime: ns(2200000000, 5) }); // after 2038
  t.addFile('sparse', sparseBody(10 * 4096 + 5, [[4096, pattern(100, 3)], [9 * 4096, pattern(4101, 4)]]));
  t.addSymlink('fast-link', '../etc/hostname');
  t.addSymlink('slow-link', `/${'long-component/'.repeat(8)}end`);
  t.addSpecial('dev/null', 'char', { mode: 0o666, rdevMajor: 1, rdevMinor: 3 });
  t.addSpecial('dev/sda1', 'block', { mode: 0o660, gid: 6, rdevMajor: 8, rdevMinor: 1 });
  t.addSpecial('dev/huge-numbers', 'char', { rdevMajor: 511, rdevMinor: 70000 });
  t.addSpecial('run/fifo', 'fifo', { mode: 0o600 });
  t.addSpecial('run/socket', 'socket', { mode: 0o777 });
  t.addFile('bin/su', bytesBody(pattern(5000, 5)), { mode: 0o4755 });
  t.addFile('bin/ping', bytesBody(pattern(300, 6)), { mode: 0o755, xattrs: new Map([['security.capability', CAP_SETUID]]) });
  t.addFile('bin/wall', bytesBody(pattern(10, 7)), { mode: 0o2755, gid: 5 });
  t.addDir('tmp', { mode: 0o1777 });
  t.addHardLink('bin/su-again', 'bin/su');
  t.addHardLink('etc/su-third', 'bin/su');
  t.addFile('xattrs/inline', bytesBody(enc.encode('a')), { xattrs: new Map([['user.note', enc.encode('hello')], ['trusted.t', Uint8Array.from([0, 0xff, 0x80])]]) });
  t.addFile('xattrs/block', bytesBody(enc.encode('b')), { xattrs: new Map([['user.big', pattern(600, 8)], ['security.selinux', enc.encode('system_u:object_r:bin_t:s0\0')]]) });
  t.addFile('xattrs/block-shared', bytesBody(enc.encode('c')), { xattrs: new Map([['user.big', pattern(600, 8)], ['security.selinux', enc.encode('system_u:object_r:bin_t:s0\0')]]) });
  t.addDir('var/log/journal', { mode: 0o2755, xattrs: new Map([['system.posix_acl_access', aclXattr()], ['system.posix_acl_default', aclXattr()]]) });
  t.addDir('deep/a/b/c/d/e');
  return t;
}

/** Every entry of `tree`, read back with debugfs: type, mode, owner, times, links, content, target, device, xattrs. */
function expectSameAsTree(tree: FileTree, path: string): void {
  const links = tree.linkCounts();
  const types: Record<string, string> = { file: 'regular', dir: 'directory', symlink: 'symlink', char: 'character special', block: 'block special', fifo: 'FIFO', socket: 'socket' };
  const dir = tmp();
  for (const { path: p, inode } of tree.walk()) {
    const s = stat(path, p);
    expect(s.type, p).toBe(types[inode.type]);
    expect(s.mode, p).toBe(inode.mode);
    expect([s.uid, s.gid], p).toEqual([inode.uid, inode.gid]);
    expect(s.mtime, p).toEqual(inode.mtime);
    expect(s.atime, p).toEqual(inode.atime);
    expect(s.ctime, p).toEqual(inode.ctime);
    const expectedLinks = (links.get(inode) ?? 0) + (p === '/' ? 1 : 0); // + lost+found
    expect(s.links, p).toBe(expectedLinks);
    if (inode.type === 'file' && inode.body!.size > 64 * 1024 * 1024) {
      expect(s.size, p).toBe(inode.body!.size); // content of huge sparse files: checked block by block in their test
    } else if (inode.type === 'file') {
      expect(s.size, p).toBe(inode.body!.size);
      const want = new Uint8Array(inode.body!.size);
      for (const seg of inode.body!.segments) {
        const src = seg.source as { bytes: Uint8Array };
        want.set(src.bytes.subarray(0, seg.length), seg.offset);
      }
      expect(sha(dump(path, p, dir)), p).toBe(sha(want));
    }
    if (inode.type === 'symlink') {
      expect(s.size).toBe(enc.encode(inode.linkTarget!).length);
      if (s.size < 60) expect(s.fastLink).toBe(inode.linkTarget);
      else expect(new TextDecoder().decode(dump(path, p, dir))).toBe(inode.linkTarget);
    }
    if (inode.type === 'char' || inode.type === 'block') expect(s.device, p).toEqual({ major: inode.rdevMajor, minor: inode.rdevMinor });
    for (const [name, value] of inode.xattrs) {
      const got = eaGet(path, p, name, dir);
      if (name.startsWith('system.posix_acl')) expect(got && aclIdsNormalised(got), `${p} ${name}`).toEqual(aclIdsNormalised(value));
      else expect(got, `${p} ${name}`).toEqual(value);
    }
  }
}

const DEBIAN_FEATURES = 'has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg sparse_super large_file huge_file dir_nlink extra_isize metadata_csum';

describe.runIf(haveTools('e2fsck', 'debugfs', 'dumpe2fs'))('writeExt4 against e2fsprogs', () => {
  test('every kind of entry: e2fsck clean, and debugfs reads back what the tree holds', () => {
    const tree = edgeTree();
    const { path, result } = makeImage(tree, { label: 'cloudimg-rootfs', journalSize: 4 * 1024 * 1024 });
    const check = fsck(path);
    expect(check.output).toContain('Pass 5');
    expect(check.status, check.output).toBe(0);

    const h = dumpe2fsHeader(path);
    expect(h.get('Filesystem features')).toBe(DEBIAN_FEATURES);
    expect(h.get('Filesystem volume name')).toBe('cloudimg-rootfs');
    expect(h.get('Inode size')).toBe('256');
    expect(h.get('Block size')).toBe('4096');
    expect(h.get('Filesystem UUID')).toBe(result.uuid);
    expect(Number(h.get('Free inodes'))).toBe(result.inodesCount - result.inodesUsed);
    expect(Number(h.get('Block count')) - Number(h.get('Free blocks'))).toBe(result.blocksUsed);
    expect(h.get('Journal size') ?? h.get('Total journal size')).toBe('4096k');

    expectSameAsTree(tree, path);
    // Holes stay holes: 2 of the 11 blocks of /sparse hold data (+ none for the tree).
    expect(stat(path, '/sparse').blockcount).toBe(3 * 8);
    // The identical xattr block is shared.
    expect(stat(path, '/xattrs/block').fileAcl).toBe(stat(path, '/xattrs/block-shared').fileAcl);
    expect(stat(path, '/xattrs/inline').fileAcl).toBe(0);
    // Hard links share one inode.
    expect(stat(path, '/bin/su').inode).toBe(stat(path, '/etc/su-third').inode);
    expect(debugfs(path, 'ls -l /lost+found')).toContain('..');
  });

  test('a 20,000-entry directory gets a real htree that e2fsck verifies', () => {
    const tree = new FileTree(T0);
    for (let i = 0; i < 20000; i++) tree.addFile(`big-dir/entry-${i.toString().padStart(5, '0')}-${'x'.repeat(i % 40)}`, bytesBody(new Uint8Array(0)));
    const { path } = makeImage(tree);
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    expect(stat(path, '/big-dir').flags & 0x1000).toBe(0x1000); // EXT4_INDEX_FL
    const htree = debugfs(path, 'htree /big-dir');
    expect(htree).toMatch(/Hash Version: 1/);
    expect(htree).toMatch(/Indirect levels: 0/);
    const names = debugfs(path, 'ls /big-dir').match(/entry-\d{5}/g) ?? [];
    expect(new Set(names).size).toBe(20000);
  });

  test('a 100,000-file tree: e2fsck clean, counts as planned, files spot-checked', () => {
    const tree = new FileTree(T0);
    const bodies = [enc.encode('a'), pattern(5000, 1), pattern(40000, 2)];
    for (let d = 0; d < 100; d++) {
      for (let f = 0; f < 1000; f++) tree.addFile(`d${d}/f${f}`, bytesBody(bodies[(d + f) % 3]!), { mode: 0o644, uid: f % 7 });
    }
    const { path, result } = makeImage(tree);
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    expect(result.files).toBe(100000);
    expect(result.inodesUsed).toBe(11 + 100 + 100000);
    expect(Number(dumpe2fsHeader(path).get('Inode count')) - Number(dumpe2fsHeader(path).get('Free inodes'))).toBe(result.inodesUsed);
    for (const [d, f] of [[0, 0], [57, 999], [99, 998]] as const) {
      const s = stat(path, `/d${d}/f${f}`);
      expect([s.size, s.uid]).toEqual([bodies[(d + f) % 3]!.length, f % 7]);
      expect(sha(dump(path, `/d${d}/f${f}`, tmp()))).toBe(sha(bodies[(d + f) % 3]!));
    }
  });

  test('a directory beyond one index block gets two index levels', () => {
    const tree = new FileTree(T0);
    // 1 KiB blocks: leaves hold ~6 of these names, the root indexes ~123 leaves.
    for (let i = 0; i < 2000; i++) tree.addFile(`d/${'n'.repeat(120)}-${i}`, bytesBody(new Uint8Array(0)));
    const { path } = makeImage(tree, { blockSize: 1024 });
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    expect(debugfs(path, 'htree /d')).toMatch(/Indirect levels: 1/);
  });

  test('a fragmented file gets extent index blocks; a > 4 GiB sparse file keeps its holes', () => {
    const tree = new FileTree(T0);
    const pieces: [number, Uint8Array][] = [];
    for (let i = 0; i < 700; i++) pieces.push([i * 2 * 4096, pattern(4096, i)]);
    tree.addFile('fragmented', sparseBody(700 * 2 * 4096, pieces));
    const G = 1024 * 1024 * 1024;
    tree.addFile('huge', sparseBody(5 * G + 100, [[0, pattern(10, 1)], [5 * G, pattern(100, 2)]]));
    const { path } = makeImage(tree);
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    const frag = debugfs(path, 'stat /fragmented');
    expect(frag).toMatch(/\(ETB0\)/); // a tree block below the root
    const want = new Uint8Array(700 * 2 * 4096);
    for (const [off, b] of pieces) want.set(b, off);
    expect(sha(dump(path, '/fragmented', tmp()))).toBe(sha(want));
    const huge = stat(path, '/huge');
    expect(huge.size).toBe(5 * G + 100);
    expect(huge.blockcount).toBe(2 * 8);
    expect(huge.extents).toMatch(/\(0\):\d+, \(1310720\):\d+/);
  });

  test('files under /boot and those noHoles picks are written in full; blockMap agrees with debugfs', () => {
    const tree = new FileTree(T0);
    const body = sparseBody(6 * 4096, [[5 * 4096, pattern(4096, 9)]]);
    tree.addFile('boot/ldlinux.sys', body);
    tree.addFile('other', sparseBody(6 * 4096, [[5 * 4096, pattern(4096, 9)]]));
    tree.addFile('picked', sparseBody(6 * 4096, [[5 * 4096, pattern(4096, 9)]]));
    const { path, result } = makeImage(tree, { noHoles: (p) => p === '/picked' });
    expect(fsck(path).status).toBe(0);
    expect(stat(path, '/boot/ldlinux.sys').blockcount).toBe(6 * 8); // under /boot: always in full
    expect(stat(path, '/picked').blockcount).toBe(6 * 8);
    expect(stat(path, '/other').blockcount).toBe(1 * 8);
    const map = result.blockMap('/boot/ldlinux.sys')!;
    const blocks = map.flatMap((e) => Array.from({ length: e.length }, (_, i) => e.physical + i));
    expect(debugfs(path, 'blocks /boot/ldlinux.sys').trim().split(/\s+/).map(Number)).toEqual(blocks);
  });

  test('same seed and time give byte-identical images; another seed another UUID', () => {
    const a = makeImage(edgeTree(), { seed: 's1' });
    const b = makeImage(edgeTree(), { seed: 's1' });
    const c = makeImage(edgeTree(), { seed: 's2' });
    expect(sha(readFileSync(a.path))).toBe(sha(readFileSync(b.path)));
    expect(c.result.uuid).not.toBe(a.result.uuid);
    expect(dumpe2fsHeader(a.path).get('Directory Hash Seed')).not.toBe(dumpe2fsHeader(c.path).get('Directory Hash Seed'));
  });

  test('ext4-legacy: no 64bit, no metadata_csum; still clean', () => {
    const { path } = makeImage(edgeTree(), { features: 'ext4-legacy' });
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    const f = dumpe2fsHeader(path).get('Filesystem features')!;
    expect(f).not.toMatch(/64bit|metadata_csum/);
    expect(f).toMatch(/extent/);
  });

  test('1 KiB blocks, 128-byte inodes, many groups and flex groups, data across group boundaries', () => {
    const tree = edgeTree();
    tree.addFile('across-groups', bytesBody(pattern(20 * 1024 * 1024, 11)));
    const { path } = makeImage(tree, { blockSize: 1024, inodeSize: 128 }, 200 * 1024 * 1024);
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    const h = dumpe2fsHeader(path);
    expect(h.get('Block size')).toBe('1024');
    expect(h.get('Inode size')).toBe('128');
    expect(sha(dump(path, '/across-groups', tmp()))).toBe(sha(pattern(20 * 1024 * 1024, 11)));
  });

  test('ext3 and ext2 profiles: block maps (indirect, double and triple) instead of extents', () => {
    const tree = edgeTree();
    const G = 1024 * 1024 * 1024;
    tree.addFile('huge', sparseBody(5 * G + 100, [[0, pattern(10, 1)], [20 * 4096, pattern(5000, 3)], [4 * 1024 * 1024 * 1024, pattern(4096, 2)], [5 * G, pattern(100, 2)]]));
    const ext3 = makeImage(tree, { features: 'ext3', journalSize: 4 * 1024 * 1024 });
    const check = fsck(ext3.path);
    expect(check.status, check.output).toBe(0);
    expect(dumpe2fsHeader(ext3.path).get('Filesystem features')).toBe('has_journal ext_attr resize_inode dir_index filetype sparse_super large_file');
    expect(stat(ext3.path, '/big').flags & 0x80000).toBe(0); // no EXTENTS_FL
    expect(debugfs(ext3.path, 'stat /huge')).toMatch(/\(TIND\)/);
    expectSameAsTree(tree, ext3.path);
    // The block behind 4 GiB (through the triple-indirect tree) holds its piece; holes are unmapped.
    const physical = Number(debugfs(ext3.path, `bmap /huge ${(4 * G) / 4096}`).trim());
    const image = openSync(ext3.path, 'r');
    const block = Buffer.alloc(4096);
    readSync(image, block, 0, 4096, physical * 4096);
    closeSync(image);
    expect(sha(block)).toBe(sha(pattern(4096, 2)));
    expect(Number(debugfs(ext3.path, 'bmap /huge 5').trim())).toBe(0);
    const ext2 = makeImage(edgeTree(), { features: 'ext2' });
    expect(fsck(ext2.path).status).toBe(0);
    expect(dumpe2fsHeader(ext2.path).get('Filesystem features')).not.toMatch(/has_journal/);
  });

  test('a /lost+found from the input is used (as inode 11), with its content', () => {
    const tree = new FileTree(T0);
    tree.addDir('lost+found', { mode: 0o700 });
    tree.addFile('lost+found/#12', bytesBody(enc.encode('orphan')));
    const { path } = makeImage(tree);
    const check = fsck(path);
    expect(check.status, check.output).toBe(0);
    expect(stat(path, '/lost+found').inode).toBe(11);
    expect(stat(path, '/lost+found').size).toBe(16384);
    expect(new TextDecoder().decode(dump(path, '/lost+found/#12', tmp()))).toBe('orphan');
  });

  test('with no headroom the automatic size is exactly enough (journal and its mapping included)', () => {
    for (const features of ['ext4', 'ext3', 'ext4-legacy']) {
      const tree = edgeTree();
      for (let i = 0; i < 300; i++) tree.addFile(`many/${i}`, bytesBody(pattern(5000 + i, i)));
      const { path, result } = makeImage(tree, { features, extra: 0, journalSize: 8 * 1024 * 1024 });
      const check = fsck(path);
      expect(check.status, `${features}: ${check.output}`).toBe(0);
      expect(result.blocksCount - result.blocksUsed, features).toBeLessThan(300); // tight: less than 1.2 MiB free
    }
  });

  test('writes inside a Disk window (a partition) and nowhere else', () => {
    const tree = edgeTree();
    const path = join(tmp(), 'disk.img');
    const disk = FileDisk.create(path, 40 * 1024 * 1024);
    const start = 1024 * 1024;
    const length = 38 * 1024 * 1024;
    writeExt4(disk.window(start, length), tree, { seed: 'w', time: T0.sec });
    const ranges = [...disk.dataRanges()];
    disk.close();
    expect(ranges[0]!.offset).toBeGreaterThanOrEqual(start);
    expect(ranges.at(-1)!.offset + ranges.at(-1)!.length).toBeLessThanOrEqual(start + length);
    const partition = `${path}?offset=${start}`; // e2fsprogs' unix I/O option
    const check = fsck(partition);
    expect(check.status, check.output).toBe(0);
    expect(debugfs(partition, 'cat /etc/hostname')).toBe('tsdib\n');
  });

  test('journal: none, or a given size', () => {
    const none = makeImage(edgeTree(), { journalSize: 'none' });
    expect(fsck(none.path).status).toBe(0);
    expect(dumpe2fsHeader(none.path).get('Filesystem features')).not.toMatch(/has_journal/);
    const sized = makeImage(edgeTree(), { journalSize: 8 * 1024 * 1024 });
    expect(fsck(sized.path).status).toBe(0);
    expect(dumpe2fsHeader(sized.path).get('Total journal blocks')).toBe('2048');
  });

  test('a fixed size: mke2fs-like geometry (journal by size, 5% reserved)', () => {
    const { path } = makeImage(edgeTree(), {}, 256 * 1024 * 1024);
    expect(fsck(path).status).toBe(0);
    const h = dumpe2fsHeader(path);
    expect(h.get('Block count')).toBe('65536');
    expect(h.get('Inode count')).toBe('16384');
    expect(h.get('Reserved block count')).toBe('3276');
    expect(h.get('Total journal blocks')).toBe('4096');
    expect(runTool('dumpe2fs', [path]).stdout).toMatch(/Group 1: .*\n\s+Backup superblock at 32768/);
  });
});

describe('writeExt4 refuses what it cannot write (exit 2)', () => {
  const opts: Ext4Options = { seed: 'x', time: 0 };
  const expectInputError = (f: () => unknown, message: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      expect((e as TsdibError).exitCode).toBe(2);
      expect((e as TsdibError).message).toMatch(message);
      return;
    }
    throw new Error('no error');
  };

  test('content larger than the size', () => {
    const tree = new FileTree();
    tree.addFile('f', sparseBody(9 * 1024 * 1024, [[0, new Uint8Array(1)]]), {});
    const disk = FileDisk.create(join(tmp(), 'small'), 4 * 1024 * 1024);
    expectInputError(() => writeExt4(disk, tree, { ...opts, noHoles: true }), /needs 1\d MiB, the filesystem has 4 MiB/);
    disk.close();
  });

  test('more inodes than asked for', () => {
    const tree = new FileTree();
    for (let i = 0; i < 100; i++) tree.addFile(`f${i}`, bytesBody(new Uint8Array(0)));
    const disk = FileDisk.create(join(tmp(), 'small'), 8 * 1024 * 1024);
    expectInputError(() => writeExt4(disk, tree, { ...opts, inodes: 64 }), /needs 11\d inodes, the filesystem has 64/);
    disk.close();
  });

  test('unknown or refused features, bad labels', () => {
    const tree = new FileTree();
    expectInputError(() => planExt4(tree, { ...opts, features: 'ext5' }), /unknown profile "ext5"/);
    expectInputError(() => planExt4(tree, { ...opts, features: 'ext4,inline_data' }), /inline_data is not supported/);
    expectInputError(() => planExt4(tree, { ...opts, features: 'ext4,^nonsense' }), /unknown feature "nonsense"/);
    const disk = FileDisk.create(join(tmp(), 'x'), 8 * 1024 * 1024);
    expectInputError(() => writeExt4(disk, tree, { ...opts, label: 'a-label-longer-than-16' }), /longer than 16 bytes/);
    disk.close();
  });

  test('a symlink target longer than a block (names over 255 bytes are refused by the FileTree already)', () => {
    const t2 = new FileTree();
    t2.addSymlink('l', 'x'.repeat(4096));
    expectInputError(() => planExt4(t2, opts), /\/l: symlink target of 4096 bytes is longer than a block/);
  });

  test('xattr names outside the known namespaces, and corrupt ACLs', () => {
    const t1 = new FileTree();
    t1.addFile('f', bytesBody(new Uint8Array(0)), { xattrs: new Map([['weird.x', new Uint8Array(1)]]) });
    expectInputError(() => planExt4(t1, opts), /f: extended attribute "weird.x"/);
    const t2 = new FileTree();
    t2.addFile('f', bytesBody(new Uint8Array(0)), { xattrs: new Map([['system.posix_acl_access', new Uint8Array(5)]]) });
    expectInputError(() => planExt4(t2, opts), /not a POSIX ACL/);
  });
});
