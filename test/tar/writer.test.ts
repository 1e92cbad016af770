import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readRootfs } from '../../src/tar/index.js';
import { tarChunks, writeTar } from '../../src/tar/writer.js';
import { BodyReader, bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import type { Body, Inode } from '../../src/tree/types.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const T = { sec: 1714979289, nsec: 123456789 };
const CAP = Buffer.from('0100000280200000000000000000000000000000', 'hex');
const LONG_DIR = 'd'.repeat(120);
const LONG_TARGET = 't'.repeat(140);

/** A sparse body: 2 MiB with "hello" at 1 MiB and "end" in the last bytes, held in memory. */
function sparseBody(): Body {
  const hello = Buffer.from('hello');
  const end = Buffer.from('end');
  return {
    size: 2 << 20,
    segments: [
      { offset: 1 << 20, length: hello.length, source: { bytes: hello, offset: 0 } },
      { offset: (2 << 20) - 3, length: 3, source: { bytes: end, offset: 0 } },
    ],
  };
}

function sampleTree(): FileTree {
  const tree = new FileTree({ sec: 1000, nsec: 0 });
  tree.addDir('/', { mode: 0o755, mtime: T });
  tree.addDir('tmp', { mode: 0o1777, mtime: T });
  tree.addFile('bin/ping', bytesBody(Buffer.from('ping\n')), { mode: 0o4755, mtime: T, xattrs: new Map([['security.capability', CAP]]) });
  tree.addFile('bin/plain', bytesBody(new Uint8Array(512).fill(7)), { mode: 0o2711, uid: 3000000, gid: 4000000, mtime: { sec: T.sec, nsec: 0 } });
  tree.addFile('bin/empty', bytesBody(new Uint8Array(0)), { mode: 0o600, mtime: T });
  tree.addHardLink('bin/ping2', 'bin/ping');
  tree.addHardLink(`${LONG_DIR}/ping3`, 'bin/ping');
  tree.addSymlink('lib', 'usr/lib', { mtime: T });
  tree.addSymlink('far', LONG_TARGET, { mtime: T });
  tree.addSpecial('dev/null', 'char', { mode: 0o666, rdevMajor: 1, rdevMinor: 3, mtime: T });
  tree.addSpecial('dev/sda', 'block', { mode: 0o660, gid: 6, rdevMajor: 8, rdevMinor: 0, mtime: T });
  tree.addSpecial('run/fifo', 'fifo', { mode: 0o644, mtime: T });
  tree.addSpecial('run/sock', 'socket', { mode: 0o755, mtime: T });
  tree.addFile('var/sparse', sparseBody(), { mode: 0o644, mtime: T, atime: { sec: 5, nsec: 6 }, ctime: { sec: 7, nsec: 8 } });
  tree.addFile('var/ünïcode-名前', bytesBody(Buffer.from('x')), { mtime: T });
  return tree;
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bodySha(body: Body | undefined): string {
  const reader = new BodyReader();
  const h = createHash('sha256');
  if (body) reader.forEachChunk(body, 1 << 20, (_o, b) => h.update(b));
  reader.close();
  return h.digest('hex');
}

/** Everything a writer must keep, per path, for comparing trees. */
function summary(tree: FileTree): Record<string, unknown>[] {
  const ids = new Map<Inode, number>();
  return [...tree.walk()].map(({ path, inode }) => {
    if (!ids.has(inode)) ids.set(inode, ids.size);
    return {
      path,
      link: ids.get(inode),
      type: inode.type,
      mode: inode.mode,
      uid: inode.uid,
      gid: inode.gid,
      mtime: inode.mtime,
      atime: inode.atime,
      ctime: inode.ctime,
      rdev: [inode.rdevMajor, inode.rdevMinor],
      target: inode.linkTarget,
      size: inode.body?.size,
      content: inode.type === 'file' ? bodySha(inode.body) : undefined,
      xattrs: [...inode.xattrs].map(([k, v]) => `${k}=${Buffer.from(v).toString('hex')}`),
    };
  });
}

describe('writeTar', () => {
  const tmp = useTmpDir();

  test('our reader reads back every type, owner, mode, time, xattr and hard link', async () => {
    const dir = tmp();
    const out = join(dir, 'out.tar');
    const result = await writeTar(sampleTree(), out, { epoch: 0 });
    expect(result.skippedSockets).toBe(1);
    expect(fs.statSync(out).size).toBe(result.bytes);
    const back = await readRootfs([out], { tmpDir: dir });
    const withoutSocket = sampleTree();
    withoutSocket.remove('run/sock');
    const expected = summary(withoutSocket);
    expect(summary(back.tree)).toEqual(expected);
    expect(back.tree.lookup('var/sparse')!.body!.segments.map((s) => [s.offset, s.length])).toEqual([
      [1 << 20, 512],
      [(2 << 20) - 512, 512],
    ]);
    back.cleanup();
  });

  test('byte-identical output for the same tree, and to a stream as to a file', async () => {
    const dir = tmp();
    await writeTar(sampleTree(), join(dir, 'a.tar'), { epoch: 42 });
    await writeTar(sampleTree(), join(dir, 'b.tar'), { epoch: 42 });
    const stream = fs.createWriteStream(join(dir, 'c.tar'));
    await writeTar(sampleTree(), stream, { epoch: 42 });
    await new Promise<void>((resolve) => stream.end(resolve));
    const a = fs.readFileSync(join(dir, 'a.tar'));
    expect(sha(fs.readFileSync(join(dir, 'b.tar')))).toBe(sha(a));
    expect(sha(fs.readFileSync(join(dir, 'c.tar')))).toBe(sha(a));
  });

  test('refuses to overwrite without force and leaves no temp file on error', async () => {
    const dir = tmp();
    fs.writeFileSync(join(dir, 'x.tar'), 'keep');
    await expect(writeTar(sampleTree(), join(dir, 'x.tar'), { epoch: 0 })).rejects.toThrow(/already exists/);
    const broken = new FileTree();
    broken.addFile('f', { size: 10, segments: [{ offset: 0, length: 10, source: { path: join(dir, 'missing'), offset: 0 } }] });
    await expect(writeTar(broken, join(dir, 'y.tar'), { epoch: 0 })).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['x.tar']);
    expect(fs.readFileSync(join(dir, 'x.tar'), 'utf8')).toBe('keep');
  });

  describe.runIf(haveTools('tar'))('GNU tar reads what we write', () => {
    test('tar -tvv --xattrs lists every member with owners, modes, links and xattrs', async () => {
      const dir = tmp();
      const out = join(dir, 'out.tar');
      await writeTar(sampleTree(), out, { epoch: 0 });
      const r = runTool('tar', ['-tvv', '--xattrs', '--xattrs-include=*', '--numeric-owner', '--full-time', '-f', out], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n');
      const line = (suffix: string) => lines.find((l) => l.endsWith(suffix)) ?? `missing ${suffix}`;
      expect(line(' ./bin/ping')).toMatch(/^-rwsr-xr-x\* +0\/0 +5 2024-05-06 07:08:09\.123456789 \.\/bin\/ping$/);
      expect(lines[lines.indexOf(line(' ./bin/ping')) + 1]).toBe('  x: 20 security.capability');
      expect(line(' ./bin/plain')).toMatch(/^-rwx--s--x +3000000\/4000000 +512 /);
      expect(line(' ./bin/ping2 link to ./bin/ping')).toMatch(/^hrwsr-xr-x/);
      expect(line(`./${LONG_DIR}/ping3 link to ./bin/ping`)).toMatch(/^hrwsr-xr-x/);
      expect(line(` ./far -> ${LONG_TARGET}`)).toMatch(/^lrwxrwxrwx/);
      expect(line(' ./dev/null')).toMatch(/^crw-rw-rw- +0\/0 +1,3 /);
      expect(line(' ./dev/sda')).toMatch(/^brw-rw---- +0\/6 +8,0 /);
      expect(line(' ./run/fifo')).toMatch(/^prw-r--r--/);
      expect(line(' ./tmp/')).toMatch(/^drwxrwxrwt/);
      expect(line(' ./var/sparse')).toMatch(/^-rw-r--r-- +0\/0 +2097152 /);
      expect(r.stdout).not.toContain('sock');
    });

    test.runIf(process.getuid?.() === 0 && haveTools('getfattr'))('extracted as root, the files are what the tree says', async () => {
      const dir = tmp();
      const out = join(dir, 'out.tar');
      await writeTar(sampleTree(), out, { epoch: 0 });
      const root = join(dir, 'x');
      fs.mkdirSync(root);
      const r = runTool('tar', ['-xv', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-p', '-f', out, '-C', root]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const st = (p: string) => fs.lstatSync(join(root, p), { bigint: true });
      expect(Number(st('bin/ping').mode) & 0o7777).toBe(0o4755);
      expect(st('bin/ping').nlink).toBe(3n);
      expect(st('bin/ping2').ino).toBe(st('bin/ping').ino);
      expect(st(`${LONG_DIR}/ping3`).ino).toBe(st('bin/ping').ino);
      expect(st('bin/ping').mtimeNs).toBe(1714979289123456789n);
      expect([st('bin/plain').uid, st('bin/plain').gid]).toEqual([3000000n, 4000000n]);
      expect(Number(st('bin/plain').mode) & 0o7777).toBe(0o2711);
      expect(Number(st('tmp').mode) & 0o7777).toBe(0o1777);
      expect(fs.readlinkSync(join(root, 'far'))).toBe(LONG_TARGET);
      expect(st('dev/null').isCharacterDevice()).toBe(true);
      expect(st('dev/null').rdev).toBe(0x103n);
      expect(st('dev/sda').isBlockDevice()).toBe(true);
      expect(st('run/fifo').isFIFO()).toBe(true);
      expect(sha(fs.readFileSync(join(root, 'var/sparse')))).toBe(bodySha(sparseBody()));
      expect(fs.readFileSync(join(root, 'var/ünïcode-名前'), 'utf8')).toBe('x');
      const g = runTool('getfattr', ['-n', 'security.capability', '-e', 'hex', join(root, 'bin/ping')]);
      expect(g.stdout).toContain(`security.capability=0x${CAP.toString('hex')}`);
    });
  });

  describe.runIf(haveTools('bsdtar'))('bsdtar (libarchive) reads what we write', () => {
    test.runIf(process.getuid?.() === 0 && haveTools('getfattr'))('extracted with --xattrs, the files are what the tree says', async () => {
      const dir = tmp();
      const out = join(dir, 'out.tar');
      await writeTar(sampleTree(), out, { epoch: 0 });
      const list = runTool('bsdtar', ['-tvf', out]);
      expect(list.stderr).toBe('');
      expect(list.status).toBe(0);
      const root = join(dir, 'x');
      fs.mkdirSync(root);
      const r = runTool('bsdtar', ['-x', '--xattrs', '--numeric-owner', '-p', '-f', out, '-C', root]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const st = (p: string) => fs.lstatSync(join(root, p), { bigint: true });
      expect(Number(st('bin/ping').mode) & 0o7777).toBe(0o4755);
      expect(st(`${LONG_DIR}/ping3`).ino).toBe(st('bin/ping').ino);
      expect(st('bin/ping').mtimeNs).toBe(1714979289123456789n);
      expect([st('bin/plain').uid, st('bin/plain').gid]).toEqual([3000000n, 4000000n]);
      expect(fs.readlinkSync(join(root, 'far'))).toBe(LONG_TARGET);
      expect(st('dev/sda').rdev).toBe(0x800n);
      expect(sha(fs.readFileSync(join(root, 'var/sparse')))).toBe(bodySha(sparseBody()));
      const g = runTool('getfattr', ['-n', 'security.capability', '-e', 'hex', join(root, 'bin/ping')]);
      expect(g.stdout).toContain(`security.capability=0x${CAP.toString('hex')}`);
    });
  });

  test('chunks are bounded: no chunk holds a whole large body', () => {
    const tree = new FileTree();
    const big = new Uint8Array(3 << 20).fill(1);
    tree.addFile('big', bytesBody(big));
    const sizes = [...tarChunks(tree, { epoch: 0 })].map((c) => c.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 20);
  });
});
