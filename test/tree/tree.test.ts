import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree, NAME_MAX, compareNames, splitPath } from '../../src/tree/tree.js';

describe('splitPath', () => {
  test('"./a//b/", "a/b" and "/a/b" are the same path', () => {
    for (const p of ['./a//b/', 'a/b', '/a/b', 'a/./b']) expect(splitPath(p)).toEqual(['a', 'b']);
    expect(splitPath('./')).toEqual([]);
  });
  test('".." anywhere is refused, naming the entry', () => {
    expect(() => splitPath('a/../b', 'entry x')).toThrow('entry x: path contains ".."');
  });
  test(`a component of ${NAME_MAX} bytes is fine, ${NAME_MAX + 1} is not (bytes, not characters)`, () => {
    expect(splitPath('é'.repeat(127) + 'x')).toHaveLength(1); // 255 bytes
    expect(() => splitPath('é'.repeat(128))).toThrow(/is 256 bytes long/);
  });
});

describe('FileTree', () => {
  test('missing parents are created root-owned 0755 at the default time', () => {
    const tree = new FileTree({ sec: 9, nsec: 1 });
    tree.addFile('a/b/c', bytesBody(Buffer.from('x')), { uid: 5, mode: 0o600 });
    const a = tree.lookup('a')!;
    expect([a.type, a.mode, a.uid, a.gid, a.mtime]).toEqual(['dir', 0o755, 0, 0, { sec: 9, nsec: 1 }]);
    expect(tree.lookup('/a/b/c')!.uid).toBe(5);
  });

  test('a directory over a directory keeps its children and takes the new metadata', () => {
    const tree = new FileTree();
    tree.addFile('d/f', bytesBody(Buffer.from('x')));
    tree.addDir('d', { mode: 0o700, uid: 3 });
    expect([tree.lookup('d')!.mode, tree.lookup('d')!.uid]).toEqual([0o700, 3]);
    expect(tree.lookup('d/f')).toBeDefined();
  });

  test('a file over a directory replaces the whole subtree; remove() deletes', () => {
    const tree = new FileTree();
    tree.addFile('d/f', bytesBody(Buffer.from('x')));
    tree.addFile('d', bytesBody(Buffer.from('y')));
    expect(tree.lookup('d')!.type).toBe('file');
    expect(tree.remove('d')).toBe(true);
    expect(tree.remove('d')).toBe(false);
  });

  test('hard links share one inode; link counts count names, and 2 + subdirectories for directories', () => {
    const tree = new FileTree();
    const f = tree.addFile('bin/a', bytesBody(Buffer.from('x')));
    tree.addHardLink('bin/b', 'bin/a');
    tree.addHardLink('sbin/c', '/bin/a');
    tree.addDir('bin/sub');
    const counts = tree.linkCounts();
    expect(tree.lookup('sbin/c')).toBe(f);
    expect(counts.get(f)).toBe(3);
    expect(counts.get(tree.lookup('bin')!)).toBe(3);
    expect(counts.get(tree.root)).toBe(4);
  });

  test('a hard link to a missing target or to a directory is an input error', () => {
    const tree = new FileTree();
    tree.addDir('d');
    for (const target of ['nope', 'd']) {
      try {
        tree.addHardLink('x', target);
        throw new Error('expected an error');
      } catch (e) {
        expect(e).toBeInstanceOf(TsdibError);
        expect((e as TsdibError).exitCode).toBe(2);
      }
    }
  });

  test('walk() is depth-first with children in UTF-8 byte order, whatever the insertion order', () => {
    const tree = new FileTree();
    for (const p of ['b', 'a/z', 'a/é', 'a/Z', 'A']) tree.addFile(p, bytesBody(Buffer.from('')));
    expect([...tree.walk()].map((e) => e.path)).toEqual(['/', '/A', '/a', '/a/Z', '/a/z', '/a/é', '/b']);
    expect(compareNames('Z', 'a')).toBeLessThan(0);
  });

  test('symlinks default to 0777; only a directory can be the root; a file cannot hold children', () => {
    const tree = new FileTree();
    expect(tree.addSymlink('l', 'target').mode).toBe(0o777);
    expect(() => tree.addFile('./', bytesBody(new Uint8Array(0)))).toThrow(/only a directory can be the root/);
    tree.addFile('f', bytesBody(new Uint8Array(0)));
    expect(() => tree.addFile('f/g', bytesBody(new Uint8Array(0)))).toThrow(/f is not a directory/);
  });

  // Paths that share their directory text skip the walk from the root (the last parent is remembered):
  // these check that replacing or removing a name never leaves entries landing in a detached directory.
  describe('consecutive paths in one directory', () => {
    const empty = () => bytesBody(new Uint8Array(0));
    const names = (tree: FileTree, path: string) => [...(tree.lookup(path)?.children?.keys() ?? [])].sort();

    test('land in that directory, and their names are still checked', () => {
      const tree = new FileTree();
      for (const name of ['a', 'b', 'c']) tree.addFile(`./usr/bin/${name}`, empty());
      expect(names(tree, 'usr/bin')).toEqual(['a', 'b', 'c']);
      expect(() => tree.addFile('./usr/bin/..', empty())).toThrow(/path contains "\.\."/);
      expect(() => tree.addFile(`./usr/bin/${'x'.repeat(NAME_MAX + 1)}`, empty())).toThrow(/bytes long/);
      expect(() => tree.addFile('./usr/bin/n\0ul', empty())).toThrow(/NUL/);
      // Another spelling of the same directory is the same directory.
      tree.addFile('usr/bin/d', empty());
      tree.addFile('/usr/bin/e', empty());
      expect(names(tree, 'usr/bin')).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    test('after their directory (or one above it) is replaced by a file, the next one is refused', () => {
      const tree = new FileTree();
      tree.addFile('usr/bin/a', empty());
      tree.addFile('usr', empty());
      expect(() => tree.addFile('usr/bin/b', empty())).toThrow(/usr is not a directory/);
    });

    test('after their directory is removed or emptied, the next one recreates it in the tree', () => {
      const tree = new FileTree();
      tree.addFile('usr/bin/a', empty());
      expect(tree.removeIfPresent('usr/bin')).toBe(true);
      tree.addFile('usr/bin/b', empty());
      expect(names(tree, 'usr/bin')).toEqual(['b']);
      tree.emptyDir('usr');
      tree.addFile('usr/bin/c', empty());
      expect(names(tree, 'usr/bin')).toEqual(['c']);
      tree.remove('usr/bin');
      tree.addFile('usr/bin/d', empty());
      expect(names(tree, 'usr/bin')).toEqual(['d']);
      expect(tree.removeIfPresent('nowhere/x')).toBe(false);
      expect(tree.lookup('nowhere')).toBeUndefined();
    });
  });
});
