/** The small tree the image tests put in containers: a hard link, a symlink, a sticky dir, a non-root file. */
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';

const EPOCH = 1700000000;

export function imageTree(): FileTree {
  const t = { sec: EPOCH - 1000, nsec: 0 };
  const tree = new FileTree(t);
  tree.addFile('bin/hello', bytesBody(Buffer.from('#!/bin/sh\necho hello\n')), { mode: 0o755, mtime: t });
  tree.addHardLink('bin/hello2', 'bin/hello');
  tree.addFile('etc/os-release', bytesBody(Buffer.from('ID=debian\nVERSION_ID="12"\n')), { mtime: t });
  tree.addFile('home/user/data', bytesBody(new Uint8Array(100_000).map((_, i) => i & 0xff)), { mode: 0o600, uid: 1000, gid: 1000, mtime: t });
  tree.addSymlink('usr/bin/hi', '/bin/hello', { mtime: t });
  tree.addDir('tmp', { mode: 0o1777, mtime: t });
  return tree;
}

