import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { deviceNumbers, readDirectory } from '../../src/tar/directory.js';
import { emptyStats } from '../../src/tar/layer.js';
import { FileTree } from '../../src/tree/tree.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

/** glibc's makedev, written out (sys/sysmacros.h). */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return (mi & 0xffn) | ((ma & 0xfffn) << 8n) | ((mi & ~0xffn) << 12n) | ((ma & ~0xfffn) << 32n);
}

test('deviceNumbers splits dev_t as glibc does, small and large numbers alike', () => {
  for (const [ma, mi] of [[1, 3], [8, 0], [259, 65536], [4095, 255], [4096, 256], [0xfffff, 0xfffff]] as const) {
    expect(deviceNumbers(makedev(ma, mi))).toEqual({ rdevMajor: ma, rdevMinor: mi });
  }
});

describe.runIf(haveTools('mknod', 'stat'))('device nodes of a directory input (root only)', () => {
  const tmp = useTmpDir();
  test.runIf(process.getuid?.() === 0)('major/minor as stat(1) reports them; FIFOs too', () => {
    const dir = tmp();
    expect(runTool('mknod', [join(dir, 'loop'), 'b', '7', '300']).status).toBe(0);
    expect(runTool('mknod', [join(dir, 'tty'), 'c', '4', '1']).status).toBe(0);
    expect(runTool('mknod', [join(dir, 'pipe'), 'p']).status).toBe(0);
    const hex = runTool('stat', ['-c', '%t %T', join(dir, 'loop')]).stdout.trim().split(' ').map((h) => parseInt(h, 16));
    const tree = new FileTree();
    readDirectory(tree, dir, {}, emptyStats());
    const loop = tree.lookup('loop')!;
    expect([loop.type, loop.rdevMajor, loop.rdevMinor]).toEqual(['block', hex[0], hex[1]]);
    expect([loop.rdevMajor, loop.rdevMinor]).toEqual([7, 300]);
    expect([tree.lookup('tty')!.type, tree.lookup('tty')!.rdevMajor, tree.lookup('tty')!.rdevMinor]).toEqual(['char', 4, 1]);
    expect(tree.lookup('pipe')!.type).toBe('fifo');
  });
});

test('a name that is not UTF-8 is refused, naming the directory', () => {
  const dir = fs.mkdtempSync('/tmp/tsdib-test-');
  try {
    fs.writeFileSync(Buffer.from(`${dir}/caf\xe9`, 'latin1'), 'x');
    expect(() => readDirectory(new FileTree(), dir, {}, emptyStats())).toThrow(/is not valid UTF-8/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('times of a directory input', () => {
  const tmp = useTmpDir();
  test('atime and ctime are the mtime, so reading the files between two builds changes nothing', () => {
    const dir = tmp();
    fs.writeFileSync(join(dir, 'f'), 'x');
    fs.utimesSync(join(dir, 'f'), new Date(1_000_000_000_000), new Date(1_500_000_000_000)); // atime 2001, mtime 2017
    const first = new FileTree();
    readDirectory(first, dir, {}, emptyStats());
    fs.utimesSync(join(dir, 'f'), new Date(1_600_000_000_000), new Date(1_500_000_000_000)); // as a read would move atime
    const second = new FileTree();
    readDirectory(second, dir, {}, emptyStats());
    const a = first.lookup('f')!;
    const b = second.lookup('f')!;
    expect(a.mtime).toEqual({ sec: 1_500_000_000, nsec: 0 });
    expect([a.atime, a.ctime]).toEqual([a.mtime, a.mtime]);
    expect([b.atime, b.ctime, b.mtime]).toEqual([a.atime, a.ctime, a.mtime]);
  });
});
