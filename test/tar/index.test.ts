import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { encodeHeader } from '../../src/tar/header.js';
import { readRootfs, type Rootfs } from '../../src/tar/index.js';
import { encodePaxRecords } from '../../src/tar/pax.js';
import { BodyReader } from '../../src/tree/body.js';
import type { FileTree } from '../../src/tree/tree.js';
import type { Body, Inode } from '../../src/tree/types.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { rejection } from '../helpers/errors.js';

const FIXTURES = new URL('../fixtures/tar/', import.meta.url).pathname;

/** A hand-made member list → tar bytes (for names no tar tool would write). */
interface Member {
  name: string;
  type?: string;
  data?: string;
  link?: string;
  mode?: number;
  pax?: Record<string, string>;
}

function makeTar(members: Member[]): Buffer {
  const blocks: Uint8Array[] = [];
  const pad = (n: number) => new Uint8Array((512 - (n % 512)) % 512);
  for (const m of members) {
    if (m.pax) {
      const data = encodePaxRecords(Object.entries(m.pax).map(([key, v]) => ({ key, value: Buffer.from(v) })));
      blocks.push(encodeHeader({ name: Buffer.from('PaxHeader'), mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: 0, typeflag: 'x' }), data, pad(data.length));
    }
    const data = Buffer.from(m.data ?? '');
    const name = Buffer.from(m.name);
    blocks.push(
      encodeHeader({
        name: name.length > 100 ? name.subarray(0, 100) : name,
        mode: m.mode ?? 0o644,
        uid: 0,
        gid: 0,
        size: data.length,
        mtime: 1000,
        typeflag: m.type ?? '0',
        linkname: Buffer.from(m.link ?? ''),
      }),
      data,
      pad(data.length),
    );
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

function content(body: Body | undefined): string {
  if (!body) return '<none>';
  const reader = new BodyReader();
  try {
    return Buffer.from(reader.read(body, 0, body.size)).toString('utf8');
  } finally {
    reader.close();
  }
}

function paths(tree: FileTree): string[] {
  return [...tree.walk()].map((e) => e.path);
}

describe('readRootfs', () => {
  const tmp = useTmpDir();
  const opened: Rootfs[] = [];
  const read = async (inputs: string[], extra: { preserveOwner?: boolean } = {}) => {
    const r = await readRootfs(inputs, { tmpDir: tmp(), defaultTime: { sec: 77, nsec: 5 }, ...extra });
    opened.push(r);
    return r;
  };
  const writeTar = (name: string, members: Member[]) => {
    const p = join(tmp(), name);
    fs.writeFileSync(p, makeTar(members));
    return p;
  };

  describe('normalisation', () => {
    test('"./a", "a" and "/a" are one path; a later entry replaces an earlier one', async () => {
      const p = writeTar('n.tar', [
        { name: './a/', type: '5', mode: 0o700 },
        { name: 'a/x', data: 'one' },
        { name: '/a/x', data: 'two' },
        { name: 'a//y', data: 'y' },
        { name: '/b', data: 'b' },
      ]);
      const { tree, stats } = await read([p]);
      expect(paths(tree)).toEqual(['/', '/a', '/a/x', '/a/y', '/b']);
      expect(content(tree.lookup('a/x')!.body)).toBe('two');
      expect(tree.lookup('a')!.mode).toBe(0o700);
      expect(stats.entries).toBe(5);
    });

    test('parents the archive omits are created root-owned 0755 at the default time', async () => {
      const { tree } = await read([writeTar('p.tar', [{ name: 'deep/er/file', data: 'x' }])]);
      const deep = tree.lookup('deep')!;
      expect([deep.type, deep.mode, deep.uid, deep.gid]).toEqual(['dir', 0o755, 0, 0]);
      expect(deep.mtime).toEqual({ sec: 77, nsec: 5 });
    });

    test.each([
      ['a "..", escaping the root', [{ name: 'a/../../etc/passwd', data: 'x' }], 'entry "a/../../etc/passwd" at byte 0: a/../../etc/passwd: path contains ".."'],
      ['a hard link pointing outside the root', [{ name: 'x', data: 'x' }, { name: 'h', type: '1', link: '../x' }], 'entry "h" at byte 1024: hard link target "../x": path contains ".."'],
      ['a hard link to a missing target', [{ name: 'h', type: '1', link: 'nowhere' }], 'entry "h" at byte 0: h: hard link to missing target nowhere'],
      ['a hard link to a directory', [{ name: 'd/', type: '5' }, { name: 'h', type: '1', link: 'd' }], 'hard link to directory d'],
      ['a name component over 255 bytes', [{ name: 'x', pax: { path: `d/${'n'.repeat(256)}` }, data: 'x' }], 'is 256 bytes long'],
      ['a file under a file', [{ name: 'f', data: 'x' }, { name: 'f/g', data: 'y' }], 'f/g: f is not a directory'],
      ['an unknown member type', [{ name: 'q', type: 'Q' }], 'unsupported member type "Q"'],
    ])('%s is an input error naming the entry', async (_what, members, message) => {
      const p = writeTar('bad.tar', members as Member[]);
      const err = await rejection(read([p]));
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(`${p}: `);
      expect(err.message).toContain(message);
    });

    test('a 255-byte name component is fine', async () => {
      const { tree } = await read([writeTar('ok.tar', [{ name: 'x', pax: { path: 'n'.repeat(255) }, data: 'x' }])]);
      expect(tree.lookup('n'.repeat(255))?.type).toBe('file');
    });

    test('pax path, linkpath, uid, gid, size and mtime override the header', async () => {
      const p = writeTar('pax.tar', [
        { name: 'short', data: 'body', pax: { path: 'real/name', uid: '3000000', gid: '42', mtime: '-1.25', atime: '5.000000001' } },
        { name: 'l', type: '2', link: 'x', pax: { linkpath: 'the/real/target' } },
      ]);
      const { tree } = await read([p]);
      const f = tree.lookup('real/name')!;
      expect([f.uid, f.gid]).toEqual([3000000, 42]);
      expect(f.mtime).toEqual({ sec: -2, nsec: 750000000 });
      expect(f.atime).toEqual({ sec: 5, nsec: 1 });
      expect(tree.lookup('l')!.linkTarget).toBe('the/real/target');
    });

    test('pax size overrides the header size; GNU-escaped xattr names are decoded', async () => {
      const p = writeTar('size.tar', [
        { name: 'f', data: 'abcd', pax: { size: '4', 'SCHILY.xattr.user.a%3Db%25c': 'v' } },
        { name: 'after', data: 'z' },
      ]);
      // makeTar wrote the header size from the data too; zero it to prove the pax record is used.
      const bytes = fs.readFileSync(p);
      const header = 1024; // after the pax header and its one block of records
      bytes.write('00000000000\0', header + 124, 'latin1');
      bytes.fill(0x20, header + 148, header + 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += bytes[header + i]!;
      bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, header + 148, 'latin1');
      fs.writeFileSync(p, bytes);
      const { tree } = await read([p]);
      expect(content(tree.lookup('f')!.body)).toBe('abcd');
      expect(content(tree.lookup('after')!.body)).toBe('z');
      expect(Buffer.from(tree.lookup('f')!.xattrs.get('user.a=b%c')!).toString()).toBe('v');
    });

    test('a global pax header applies to every later entry until overridden', async () => {
      const g = encodePaxRecords([{ key: 'SCHILY.xattr.user.g', value: Buffer.from([0x80, 0x00, 0xff]) }]);
      const pad = new Uint8Array(512 - g.length);
      const rest = makeTar([{ name: 'a', data: 'a' }, { name: 'b', data: 'b', pax: { 'SCHILY.xattr.user.g': 'own' } }]);
      const p = join(tmp(), 'g.tar');
      fs.writeFileSync(p, Buffer.concat([encodeHeader({ name: Buffer.from('g'), mode: 0o644, uid: 0, gid: 0, size: g.length, mtime: 0, typeflag: 'g' }), g, pad, rest]));
      const { tree } = await read([p]);
      expect(Buffer.from(tree.lookup('a')!.xattrs.get('user.g')!).toString('hex')).toBe('8000ff');
      expect(Buffer.from(tree.lookup('b')!.xattrs.get('user.g')!).toString()).toBe('own');
    });
  });

  describe('layers and OCI whiteouts', () => {
    test('later layers replace, .wh.NAME removes, .wh..wh..opq empties lower content wherever it sits', async () => {
      const lower = writeTar('l1.tar', [
        { name: 'etc/a', data: 'a1' },
        { name: 'etc/b', data: 'b1' },
        { name: 'opt/dir/x', data: 'x1' },
        { name: 'opt/dir/sub/y', data: 'y1' },
        { name: 'keep', data: 'k' },
        { name: 'c', data: 'c1' },
      ]);
      const upper = writeTar('l2.tar', [
        { name: 'opt/dir/z', data: 'z2' },
        { name: 'opt/dir/.wh..wh..opq' },
        { name: 'etc/.wh.a' },
        { name: 'etc/b', data: 'b2' },
        { name: 'c', data: 'c2' },
        { name: '.wh.c' },
        { name: 'gone/.wh.never' },
      ]);
      const { tree, stats } = await read([lower, upper]);
      // A whiteout is never materialised, not even as its parent directory.
      expect(paths(tree)).toEqual(['/', '/c', '/etc', '/etc/b', '/keep', '/opt', '/opt/dir', '/opt/dir/z']);
      expect(content(tree.lookup('etc/b')!.body)).toBe('b2');
      expect(content(tree.lookup('c')!.body)).toBe('c2');
      expect(stats.whiteouts).toBe(4);
      expect(stats.inputs).toBe(2);
    });

    test('a hard link in an upper layer may name a file of a lower layer', async () => {
      const lower = writeTar('l1.tar', [{ name: 'bin/x', data: 'x' }]);
      const upper = writeTar('l2.tar', [{ name: 'bin/y', type: '1', link: 'bin/x' }]);
      const { tree } = await read([lower, upper]);
      expect(tree.lookup('bin/y')).toBe(tree.lookup('bin/x'));
      expect(tree.linkCounts().get(tree.lookup('bin/x')!)).toBe(2);
    });
  });

  describe('compressed input, sniffed by magic', () => {
    const plainEntries = async () => {
      const { tree } = await read([join(FIXTURES, 'base256-gnu.tar')]);
      return tree;
    };

    test.each(['base256-gnu.tar.xz', 'base256-gnu.tar.zst'])('%s reads like the plain tar, bodies in a spool that cleanup removes', async (name) => {
      const dir = tmp();
      const copy = join(dir, 'renamed.bin'); // the name says nothing: the magic decides
      fs.copyFileSync(join(FIXTURES, name), copy);
      const r = await readRootfs([copy], { tmpDir: dir });
      const owned = r.tree.lookup('owned')!;
      expect([owned.uid, owned.gid]).toEqual([3000000, 4000000]);
      expect(content(owned.body)).toBe('big\n');
      const source = owned.body!.segments[0]!.source as { path: string };
      expect(source.path.startsWith(dir)).toBe(true);
      expect(source.path).not.toBe(copy);
      expect(paths(r.tree)).toEqual(paths(await plainEntries()));
      r.cleanup();
      expect(fs.existsSync(source.path)).toBe(false);
      expect(fs.readdirSync(dir)).toEqual(['renamed.bin']);
    });

    test('gzip (multi-member too)', async () => {
      const plain = fs.readFileSync(join(FIXTURES, 'xattrs-gnutar.tar'));
      const p = join(tmp(), 'x.tgz');
      fs.writeFileSync(p, Buffer.concat([gzipSync(plain.subarray(0, 3000)), gzipSync(plain.subarray(3000))]));
      const { tree } = await read([p]);
      expect(Buffer.from(tree.lookup('bin/ping')!.xattrs.get('security.capability')!).toString('hex')).toBe('0100000280200000000000000000000000000000');
    });

    test.each([
      ['gzip', () => gzipSync(fs.readFileSync(join(FIXTURES, 'base256-gnu.tar')))],
      ['xz', () => fs.readFileSync(join(FIXTURES, 'base256-gnu.tar.xz'))],
      ['zstd', () => fs.readFileSync(join(FIXTURES, 'base256-gnu.tar.zst'))],
    ])('truncated %s data is an input error and leaves no spool behind', async (kind, bytes) => {
      const dir = tmp();
      const p = join(dir, 'cut');
      const b = bytes();
      fs.writeFileSync(p, b.subarray(0, Math.floor(b.length * 0.6)));
      const err = await rejection(readRootfs([p], { tmpDir: dir }));
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(p);
      expect(err.message).toMatch(new RegExp(`${kind} data is corrupt or truncated|truncated|ends`));
      expect(fs.readdirSync(dir)).toEqual(['cut']);
    });

    test('bzip2 is recognised and refused with a hint', async () => {
      const p = join(tmp(), 'x.tar.bz2');
      fs.writeFileSync(p, Buffer.from('BZh91AY&SY'));
      const err = await rejection(read([p]));
      expect(err.message).toContain('bzip2-compressed input is not supported');
    });
  });

  describe('directory input', () => {
    test('types, hard links, ns times; owners mapped to root unless preserveOwner', async () => {
      const dir = tmp();
      fs.mkdirSync(join(dir, 'bin'));
      fs.writeFileSync(join(dir, 'bin/tool'), 'tool');
      fs.linkSync(join(dir, 'bin/tool'), join(dir, 'bin/alias'));
      fs.symlinkSync('bin/tool', join(dir, 'link'));
      fs.utimesSync(join(dir, 'bin/tool'), new Date(1_000_000), new Date(1_714_979_289_123));
      const isRoot = process.getuid?.() === 0;
      if (isRoot) fs.chownSync(join(dir, 'bin/tool'), 1234, 5678);
      fs.chmodSync(join(dir, 'bin/tool'), 0o4750); // after chown, which clears setuid
      const mapped = await read([dir]);
      const tool = mapped.tree.lookup('bin/tool')!;
      expect(mapped.tree.lookup('bin/alias')).toBe(tool);
      expect([tool.mode, tool.uid, tool.gid]).toEqual([0o4750, 0, 0]);
      const ns = fs.statSync(join(dir, 'bin/tool'), { bigint: true }).mtimeNs;
      expect(tool.mtime).toEqual({ sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) });
      expect(tool.mtime.sec).toBe(1_714_979_289);
      expect(tool.mtime.nsec).toBeGreaterThan(0);
      expect(content(tool.body)).toBe('tool');
      expect(mapped.tree.lookup('link')!.linkTarget).toBe('bin/tool');
      expect(mapped.stats).toMatchObject({ files: 1, hardLinks: 1, symlinks: 1, directories: 1 });
      if (isRoot) {
        const kept = await read([dir], { preserveOwner: true });
        expect([kept.tree.lookup('bin/tool')!.uid, kept.tree.lookup('bin/tool')!.gid]).toEqual([1234, 5678]);
      }
    });

    test('a directory layered over a tar replaces and adds', async () => {
      const lower = writeTar('l.tar', [{ name: 'a', data: 'tar' }, { name: 'b', data: 'tar' }]);
      const dir = tmp();
      fs.writeFileSync(join(dir, 'a'), 'dir');
      const { tree } = await read([lower, dir]);
      expect(content(tree.lookup('a')!.body)).toBe('dir');
      expect(content(tree.lookup('b')!.body)).toBe('tar');
    });
  });

  test('progress: decompression by compressed bytes, then the walk of the tar, each ending at its total', async () => {
    const events: { input: string; phase: string; done: number; total: number }[] = [];
    const dir = tmp();
    const xz = join(FIXTURES, 'base256-gnu.tar.xz');
    const r = await readRootfs([xz, join(FIXTURES, 'longnames-gnu.tar'), dir], { tmpDir: tmp(), onProgress: (p) => events.push(p) });
    r.cleanup();
    const of = (input: string, phase: string) => events.filter((e) => e.input === input && e.phase === phase);
    const decompress = of(xz, 'decompress');
    expect(decompress.at(-1)).toMatchObject({ done: fs.statSync(xz).size, total: fs.statSync(xz).size });
    expect(of(xz, 'read').at(-1)).toMatchObject({ done: 10240, total: 10240 }); // the spooled tar
    expect(of(join(FIXTURES, 'longnames-gnu.tar'), 'read').at(-1)).toMatchObject({ done: 10240, total: 10240 });
    expect(of(dir, 'directory')).toHaveLength(1);
    for (const e of events) expect(e.done).toBeLessThanOrEqual(e.total || e.done);
    expect(events.map((e) => e.phase)).toEqual(['decompress', 'read', 'read', 'directory']);
  });

  test('a missing input is an input error', async () => {
    const err = await rejection(read([join(tmp(), 'nope.tar')]));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('nope.tar: no such file or directory');
  });

  describe.runIf(haveTools('tar'))('GNU tar and bsdtar archives of every format read back as the directory they came from', () => {
    const dir = () => {
      const d = tmp();
      const deep = join(d, 'usr', 'share', 'a'.repeat(60), 'b'.repeat(60));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(join(deep, 'file-with-a-long-enough-name'), 'deep');
      fs.writeFileSync(join(d, 'usr', 'plain'), Buffer.alloc(70000, 3));
      fs.linkSync(join(d, 'usr', 'plain'), join(d, 'usr', 'plain-link'));
      fs.symlinkSync('plain', join(d, 'usr', 'sym'));
      fs.chmodSync(join(d, 'usr', 'plain'), 0o2755);
      // A file with holes: stored whole, or as a sparse member by `tar --sparse` and bsdtar.
      const holes = fs.openSync(join(d, 'usr', 'holes'), 'w');
      fs.ftruncateSync(holes, 1 << 20);
      fs.writeSync(holes, 'data in the middle', 512 * 1024);
      fs.writeSync(holes, 'tail', (1 << 20) - 4);
      fs.closeSync(holes);
      for (const p of ['usr/plain', 'usr/sym', 'usr/holes', 'usr']) fs.lutimesSync(join(d, p), 1_600_000_000, 1_600_000_000);
      return d;
    };

    const describeTree = (tree: FileTree) => {
      const ids = new Map<Inode, number>();
      return [...tree.walk()]
        .filter((e) => e.path !== '/')
        .map(({ path, inode }) => {
          if (!ids.has(inode)) ids.set(inode, ids.size);
          const hash = inode.type === 'file' ? createHash('sha256').update(content(inode.body)).digest('hex') : '';
          return [path, ids.get(inode), inode.type, inode.mode, inode.uid, inode.gid, inode.mtime.sec, inode.linkTarget, hash];
        });
    };

    test.runIf(haveTools('bsdtar')).each(['pax', 'ustar', 'gnutar', 'v7'])('bsdtar --format=%s', async (format) => {
      const src = dir();
      if (format === 'v7') fs.rmSync(join(src, 'usr', 'share'), { recursive: true }); // v7 names stop at 100 bytes
      const out = join(tmp(), `bsd-${format}.tar`);
      const r = runTool('bsdtar', [`--format=${format}`, '--uid', '0', '--gid', '0', '--numeric-owner', '-cf', out, '-C', src, '.']);
      expect(r.stderr).toBe('');
      const fromTar = await read([out]);
      const fromDir = await read([src]);
      expect(describeTree(fromTar.tree)).toEqual(describeTree(fromDir.tree));
    });

    test.each(['gnu', 'oldgnu', 'ustar', 'pax', 'posix'])('--format=%s', async (format) => {
      const src = dir();
      const out = join(tmp(), `${format}.tar`);
      const r = runTool('tar', [`--format=${format}`, ...(format === 'ustar' ? [] : ['--sparse']), '--owner=0', '--group=0', '--numeric-owner', '-cf', out, '-C', src, '.']);
      expect(r.stderr).toBe('');
      const fromTar = await read([out]);
      const fromDir = await read([src]);
      expect(describeTree(fromTar.tree)).toEqual(describeTree(fromDir.tree));
    });
  });
});
