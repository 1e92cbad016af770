import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeNewcHeader } from '../../../src/fs/cpio/header.js';
import { cpioChunks, writeCpio } from '../../../src/fs/cpio/writer.js';
import { TsdibError } from '../../../src/errors.js';
import { bytesBody } from '../../../src/tree/body.js';
import { FileTree } from '../../../src/tree/tree.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';

const T = 1714979289;
const isRoot = process.getuid?.() === 0;

/** 1.5 MiB of bytes that are not all the same, so a misplaced chunk shows. */
function bigBytes(): Uint8Array {
  const out = new Uint8Array(3 << 19);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7919 + (i >> 11)) & 0xff;
  return out;
}

function sampleTree(withDevices: boolean): FileTree {
  const tree = new FileTree({ sec: T, nsec: 0 });
  tree.addDir('/', { mode: 0o755, mtime: { sec: T, nsec: 0 } });
  tree.addDir('tmp', { mode: 0o1777, mtime: { sec: T - 100, nsec: 5 } });
  tree.addFile('bin/ping', bytesBody(Buffer.from('ping\n')), { mode: 0o4755, mtime: { sec: T - 50, nsec: 0 }, xattrs: new Map([['user.x', Buffer.from('y')]]) });
  tree.addHardLink('bin/ping2', 'bin/ping');
  tree.addHardLink('usr/bin/ping3', 'bin/ping');
  tree.addFile('bin/empty', bytesBody(new Uint8Array(0)), { mode: 0o600, uid: 1000, gid: 100 });
  tree.addFile('big/blob', bytesBody(bigBytes()), { mode: 0o640, uid: 3000000, gid: 4000000 });
  tree.addFile('odd', bytesBody(Buffer.from('abc')), { mode: 0o2711 });
  tree.addSymlink('lib', 'usr/lib');
  tree.addSymlink('usr/lib/abs', '/bin/ping');
  tree.addFile('var/ünïcode-名前', bytesBody(Buffer.from('x')));
  tree.addSpecial('run/fifo', 'fifo', { mode: 0o644 });
  if (withDevices) {
    tree.addSpecial('dev/console', 'char', { mode: 0o600, rdevMajor: 5, rdevMinor: 1 });
    tree.addSpecial('dev/sda', 'block', { mode: 0o660, gid: 6, rdevMajor: 8, rdevMinor: 0 });
    tree.addSpecial('dev/big', 'char', { mode: 0o600, rdevMajor: 300, rdevMinor: 70000 });
  }
  return tree;
}

function concat(chunks: Iterable<Uint8Array>): Buffer {
  return Buffer.concat([...chunks]);
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('newc writer: structure', () => {
  test('members in walk order, hard links share an inode with nlink 3 and data on the last name, trailer last', () => {
    const bytes = concat(cpioChunks(sampleTree(true)));
    const members: { name: string; ino: number; nlink: number; filesize: number; mode: number }[] = [];
    let at = 0;
    for (;;) {
      const { fields, name, dataOffset } = decodeNewcHeader(bytes, at);
      members.push({ name, ino: fields.ino, nlink: fields.nlink, filesize: fields.filesize, mode: fields.mode });
      if (name === 'TRAILER!!!') break;
      at = dataOffset + fields.filesize + ((4 - (fields.filesize % 4)) % 4);
    }
    expect(at % 4).toBe(0);
    const names = members.map((m) => m.name);
    expect(names[0]).toBe('.');
    expect(names.at(-1)).toBe('TRAILER!!!');
    expect(names.slice(1, -1)).toEqual([...names.slice(1, -1)].sort());
    const links = members.filter((m) => /ping\d?$/.test(m.name));
    expect(links.map((m) => m.name)).toEqual(['bin/ping', 'bin/ping2', 'usr/bin/ping3']);
    expect(new Set(links.map((m) => m.ino)).size).toBe(1);
    expect(links.map((m) => m.nlink)).toEqual([3, 3, 3]);
    expect(links.map((m) => m.filesize)).toEqual([0, 0, 5]);
    const others = members.filter((m) => !/ping\d?$/.test(m.name) && m.name !== 'TRAILER!!!');
    expect(new Set(others.map((m) => m.ino)).size).toBe(others.length);
  });

  test('same tree, same bytes; clamping to an epoch lowers only newer mtimes', async () => {
    const a = concat(cpioChunks(sampleTree(true), { epoch: T - 60 }));
    const b = concat(cpioChunks(sampleTree(true), { epoch: T - 60 }));
    expect(sha(a)).toBe(sha(b));
    const root = decodeNewcHeader(a, 0);
    expect(root.fields.mtime).toBe(T - 60);
    const unclamped = decodeNewcHeader(concat(cpioChunks(sampleTree(true))), 0);
    expect(unclamped.fields.mtime).toBe(T);
  });

  test('gzip output is deterministic; files whose xattrs newc cannot carry are reported', async () => {
    const dir = useTmp();
    const result = await writeCpio(sampleTree(true), join(dir, 'a.cpio.gz'));
    expect(result.droppedXattrs).toEqual(['/usr/bin/ping3']);
    await writeCpio(sampleTree(true), join(dir, 'b.cpio.gz'));
    expect(sha(fs.readFileSync(join(dir, 'a.cpio.gz')))).toBe(sha(fs.readFileSync(join(dir, 'b.cpio.gz'))));
  });

  test('a file of 4 GiB is an input error naming it, and no output is left', async () => {
    const dir = useTmp();
    const tree = new FileTree();
    tree.addFile('huge', { size: 2 ** 32, segments: [] });
    const out = join(dir, 'x.cpio');
    const err = await writeCpio(tree, out, { compression: 'none' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TsdibError);
    expect((err as TsdibError).exitCode).toBe(2);
    expect((err as TsdibError).message).toMatch(/\/huge: 4294967296 bytes/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('gzip is the default; a bad xz level is an input error naming it, and no output is left', async () => {
    const dir = useTmp();
    await writeCpio(sampleTree(false), join(dir, 'y'));
    expect([...fs.readFileSync(join(dir, 'y')).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const err = await writeCpio(sampleTree(false), join(dir, 'x'), { compression: 'xz', level: 12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TsdibError);
    expect((err as TsdibError).exitCode).toBe(2);
    expect((err as TsdibError).message).toMatch(/xz compression level 12/);
    expect(fs.readdirSync(dir)).toEqual(['y']);
  });
});

describe('newc writer: progress', () => {
  test('onProgress reports the member data written so far, never going back, ending at the total (data carried once per hard-link group)', () => {
    const calls: [number, number][] = [];
    concat(cpioChunks(sampleTree(false), { onProgress: (done, total) => calls.push([done, total]) }));
    // ping (5, once for its three names) + big/blob + odd (3) + ünïcode (1) + the two symlink targets.
    const total = 5 + bigBytes().length + 3 + 1 + 'usr/lib'.length + '/bin/ping'.length;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every(([, t]) => t === total)).toBe(true);
    expect(calls.every(([d], i) => i === 0 || d >= calls[i - 1]![0])).toBe(true);
    expect(calls[calls.length - 1]![0]).toBe(total);
  });
});

describe.runIf(haveTools('xz', 'cpio'))('xz-compressed archive (our encoder) checked by xz-utils and GNU cpio', () => {
  test('xz -t passes, the check is CRC32 (as the kernel wants), and xz -dc | cpio -it lists every member', async () => {
    const dir = useTmp();
    const archive = join(dir, 'a.cpio.xz');
    const tree = sampleTree(true);
    await writeCpio(tree, archive, { compression: 'xz' });
    expect(runTool('xz', ['-t', archive]).status).toBe(0);
    expect(runTool('xz', ['-lvv', archive]).stdout).toMatch(/Check:\s+CRC32/);
    const plain = join(dir, 'a.cpio');
    await writeCpio(tree, plain, { compression: 'none' });
    const r = runTool('sh', ['-c', 'xz -dc "$1" | cpio -it --quiet', 'sh', archive], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    expect(r.status, r.stderr).toBe(0);
    const names = r.stdout.trim().split('\n');
    expect(names).toEqual([...tree.walk()].map(({ path }) => (path === '/' ? '.' : path.slice(1))));
    // The decompressed bytes are exactly the uncompressed archive.
    const unpacked = runTool('sh', ['-c', 'xz -dc "$1" | sha256sum', 'sh', archive]).stdout.split(' ')[0];
    expect(unpacked).toBe(sha(fs.readFileSync(plain)));
  });
});

const useTmp = useTmpDir();

interface Listed {
  mode: string;
  nlink: number;
  uid: number;
  gid: number;
  size: string;
  name: string;
}

/** Parses `cpio -itvn` lines: "-rwsr-xr-x   3 0        0               5 May  6 07:08 bin/ping". */
function parseCpioList(text: string): Map<string, Listed> {
  const out = new Map<string, Listed>();
  for (const line of text.split('\n')) {
    const m = /^(\S{10})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+,\s+\d+|\d+)\s+\S+\s+\d+\s+[\d:]+\s+(.*)$/.exec(line);
    if (!m) continue;
    const name = m[6]!.replace(/ -> .*$/, '');
    out.set(name, { mode: m[1]!, nlink: Number(m[2]), uid: Number(m[3]), gid: Number(m[4]), size: m[5]!.replace(/\s+/g, ''), name });
  }
  return out;
}

describe.runIf(haveTools('cpio', 'bsdtar'))('newc writer checked by GNU cpio and bsdtar', () => {
  test('cpio -itvn lists every member with its type, mode, owner, link count and size', async () => {
    const dir = useTmp();
    const archive = join(dir, 'a.cpio');
    await writeCpio(sampleTree(true), archive, { compression: 'none' });
    const r = runTool('cpio', ['-itvn', '--quiet', '-F', archive], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' } });
    expect(r.status, r.stderr).toBe(0);
    const listed = parseCpioList(r.stdout);
    expect(listed.get('bin/ping')).toMatchObject({ mode: '-rwsr-xr-x', nlink: 3, uid: 0, gid: 0, size: '0' });
    expect(listed.get('usr/bin/ping3')).toMatchObject({ mode: '-rwsr-xr-x', nlink: 3, size: '5' });
    expect(listed.get('tmp')).toMatchObject({ mode: 'drwxrwxrwt' });
    expect(listed.get('big/blob')).toMatchObject({ mode: '-rw-r-----', uid: 3000000, gid: 4000000, size: String(3 << 19) });
    expect(listed.get('odd')).toMatchObject({ mode: '-rwx--s--x' });
    expect(listed.get('lib')).toMatchObject({ mode: 'lrwxrwxrwx', size: '7' });
    expect(listed.get('run/fifo')).toMatchObject({ mode: 'prw-r--r--' });
    expect(listed.get('dev/console')).toMatchObject({ mode: 'crw-------', size: '5,1' });
    expect(listed.get('dev/sda')).toMatchObject({ mode: 'brw-rw----', gid: 6, size: '8,0' });
    expect(listed.get('dev/big')).toMatchObject({ size: '300,70000' });
    expect(listed.get('var/ünïcode-名前')).toBeDefined();
    expect(r.stdout).toMatch(/lib -> usr\/lib/);
    expect(listed.size).toBe([...sampleTree(true).walk()].length);
  });

  test('bsdtar reads the gzip-compressed archive: same names, symlink targets, sizes', async () => {
    const dir = useTmp();
    const archive = join(dir, 'a.cpio.gz');
    await writeCpio(sampleTree(true), archive, { compression: 'gzip' });
    const r = runTool('bsdtar', ['-tvf', archive], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' } });
    expect(r.status, r.stderr).toBe(0);
    const names = runTool('bsdtar', ['-tf', archive]).stdout.trim().split('\n');
    expect(names).toEqual([...sampleTree(true).walk()].map(({ path }) => (path === '/' ? '.' : path.slice(1))));
    expect(r.stdout).toMatch(/usr\/lib\/abs -> \/bin\/ping/);
    expect(r.stdout).toMatch(new RegExp(`\\s${3 << 19} [A-Z][a-z]{2} .* big/blob`));
  });

  test.runIf(isRoot)('cpio -idm extracts every file, link, device and mode the tree holds (as root)', async () => {
    const dir = useTmp();
    const archive = join(dir, 'a.cpio');
    const tree = sampleTree(true);
    await writeCpio(tree, archive, { compression: 'none' });
    const root = join(dir, 'x');
    fs.mkdirSync(root);
    const r = runTool('cpio', ['-idm', '--quiet', '--no-absolute-filenames', '-F', archive], { cwd: root });
    expect(r.status, r.stderr).toBe(0);
    const counts = tree.linkCounts();
    for (const { path, inode } of tree.walk()) {
      if (path === '/') continue;
      const st = fs.lstatSync(join(root, path));
      expect(st.mode & 0o7777, path).toBe(inode.mode & 0o7777);
      expect([st.uid, st.gid], path).toEqual([inode.uid, inode.gid]);
      // GNU cpio sets a directory's time before it fills it, so only non-directories keep theirs.
      if (inode.type !== 'symlink' && inode.type !== 'dir') expect(Math.floor(st.mtimeMs / 1000), path).toBe(inode.mtime.sec);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'other';
      expect(type, path).toBe(inode.type);
      if (inode.type === 'file') {
        expect(st.nlink, path).toBe(counts.get(inode));
        const want = inode.body!.segments[0] ? (inode.body!.segments[0].source as { bytes: Uint8Array }).bytes : new Uint8Array(0);
        expect(sha(fs.readFileSync(join(root, path))), path).toBe(sha(want));
      }
      if (inode.type === 'symlink') expect(fs.readlinkSync(join(root, path))).toBe(inode.linkTarget);
      if (inode.type === 'char' || inode.type === 'block') {
        // Linux dev_t: minor low 8 bits | major << 8 | minor high bits << 12.
        const rdev = (inode.rdevMinor & 0xff) | ((inode.rdevMajor & 0xfff) << 8) | ((inode.rdevMinor & ~0xff) << 12);
        expect(st.rdev, path).toBe(rdev);
      }
    }
    const ping = fs.statSync(join(root, 'bin/ping'));
    expect(fs.statSync(join(root, 'usr/bin/ping3')).ino).toBe(ping.ino);
  });
});
