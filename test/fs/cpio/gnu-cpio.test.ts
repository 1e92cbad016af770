/**
 * Byte for byte against GNU cpio: a directory on the host (files, a symlink, modes, fixed times) is
 * archived by `cpio -o -H newc --reproducible` (inodes renumbered in order of appearance from 0,
 * device-of-origin zero) with the names fed in our walk order, and by our writer from the same
 * directory read as a FileTree. The two archives must be identical up to GNU cpio's padding of the
 * output to whole 512-byte blocks. Hard links are compared member by member: GNU cpio holds every
 * name of a multiply-linked file back until its last name and then writes them together, so its
 * order differs from ours (sorted), but each name's header must say the same.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeNewcHeader } from '../../../src/fs/cpio/header.js';
import { cpioChunks } from '../../../src/fs/cpio/writer.js';
import { readRootfs } from '../../../src/tar/index.js';
import { findTool, haveTools } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';

const tmp = useTmpDir();
const T = new Date('2024-05-06T07:08:09Z');

describe.runIf(haveTools('cpio'))('newc writer equals GNU cpio --reproducible', () => {
  test('same bytes for files, a symlink, directories and modes', async () => {
    const dir = tmp();
    const root = join(dir, 'root');
    fs.mkdirSync(join(root, 'bin'), { recursive: true });
    fs.mkdirSync(join(root, 'usr/share/doc'), { recursive: true });
    fs.writeFileSync(join(root, 'bin/tool'), 'tool body\n');
    fs.chmodSync(join(root, 'bin/tool'), 0o4755);
    fs.writeFileSync(join(root, 'usr/share/doc/odd-size'), 'x'.repeat(1001));
    fs.writeFileSync(join(root, 'empty'), '');
    fs.chmodSync(join(root, 'empty'), 0o600);
    fs.symlinkSync('bin/tool', join(root, 'link'));
    for (const p of ['bin/tool', 'usr/share/doc/odd-size', 'empty', 'usr/share/doc', 'usr/share', 'usr', 'bin', '.']) fs.utimesSync(join(root, p), T, T);
    fs.lutimesSync(join(root, 'link'), T, T);

    const rootfs = await readRootfs([root], { tmpDir: dir, preserveOwner: true });
    const ours = Buffer.concat([...cpioChunks(rootfs.tree)]);
    const names = [...rootfs.tree.walk()].map(({ path }) => (path === '/' ? '.' : path.slice(1)));
    const gnu = spawnSync(findTool('cpio')!, ['-o', '-H', 'newc', '--reproducible', '--quiet'], { cwd: root, input: names.join('\n') + '\n' });
    expect(gnu.status, String(gnu.stderr)).toBe(0);
    const theirs = gnu.stdout;
    expect(theirs.length % 512).toBe(0);
    expect(theirs.length - ours.length).toBeLessThan(512);
    expect(theirs.subarray(ours.length).every((b) => b === 0)).toBe(true);
    expect(ours.toString('latin1')).toBe(theirs.subarray(0, ours.length).toString('latin1'));
  });

  test('hard links: every name has the same header fields as GNU cpio gives it, and one name carries the data', async () => {
    const dir = tmp();
    const root = join(dir, 'root');
    fs.mkdirSync(join(root, 'a'), { recursive: true });
    fs.writeFileSync(join(root, 'a/one'), 'shared body\n');
    fs.linkSync(join(root, 'a/one'), join(root, 'a/two'));
    fs.linkSync(join(root, 'a/one'), join(root, 'three'));
    fs.writeFileSync(join(root, 'solo'), 'solo');
    for (const p of ['a/one', 'solo', 'a', '.']) fs.utimesSync(join(root, p), T, T);
    const rootfs = await readRootfs([root], { tmpDir: dir, preserveOwner: true });
    const ours = membersOf(Buffer.concat([...cpioChunks(rootfs.tree)]));
    const names = [...rootfs.tree.walk()].map(({ path }) => (path === '/' ? '.' : path.slice(1)));
    const gnu = spawnSync(findTool('cpio')!, ['-o', '-H', 'newc', '--reproducible', '--quiet'], { cwd: root, input: names.join('\n') + '\n' });
    expect(gnu.status, String(gnu.stderr)).toBe(0);
    const theirs = membersOf(gnu.stdout);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [name, m] of ours) {
      const t = theirs.get(name)!;
      expect({ ...m, ino: 0, filesize: 0, data: '' }, name).toEqual({ ...t, ino: 0, filesize: 0, data: '' });
    }
    const links = ['a/one', 'a/two', 'three'];
    for (const side of [ours, theirs]) {
      expect(new Set(links.map((n) => side.get(n)!.ino)).size).toBe(1);
      expect(links.map((n) => side.get(n)!.data).filter((d) => d !== '')).toEqual(['shared body\n']);
    }
    rootfs.cleanup();
  });
});

interface Member {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  filesize: number;
  data: string;
}

function membersOf(bytes: Buffer): Map<string, Member> {
  const out = new Map<string, Member>();
  for (let at = 0; ; ) {
    const { fields, name, dataOffset } = decodeNewcHeader(bytes, at);
    if (name === 'TRAILER!!!') return out;
    const data = bytes.subarray(dataOffset, dataOffset + fields.filesize).toString('latin1');
    out.set(name, { ino: fields.ino, mode: fields.mode, uid: fields.uid, gid: fields.gid, nlink: fields.nlink, mtime: fields.mtime, filesize: fields.filesize, data });
    at = dataOffset + fields.filesize + ((4 - (fields.filesize % 4)) % 4);
  }
}
