import { expect, test } from 'vitest';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import { applyWhiteout, whiteoutOf } from '../../src/tar/layer.js';

test('whiteoutOf: .wh.NAME removes NAME beside it, .wh..wh..opq marks its directory opaque', () => {
  expect(whiteoutOf('./etc/.wh.passwd')).toEqual({ kind: 'remove', path: 'etc/passwd' });
  expect(whiteoutOf('.wh.top')).toEqual({ kind: 'remove', path: 'top' });
  expect(whiteoutOf('/opt/dir/.wh..wh..opq')).toEqual({ kind: 'opaque', dir: 'opt/dir' });
  expect(whiteoutOf('etc/x.wh.y')).toBeUndefined();
  expect(whiteoutOf('.wh.dir/file')).toBeUndefined();
});

test('applyWhiteout looks paths up and never creates them', () => {
  const tree = new FileTree();
  tree.addFile('etc/a', bytesBody(new Uint8Array(0)));
  tree.addFile('opt/d/x', bytesBody(new Uint8Array(0)));
  applyWhiteout(tree, { kind: 'remove', path: 'etc/a' });
  applyWhiteout(tree, { kind: 'remove', path: 'no/such/path' });
  applyWhiteout(tree, { kind: 'opaque', dir: 'opt/d' });
  applyWhiteout(tree, { kind: 'opaque', dir: 'missing' });
  expect([...tree.walk()].map((e) => e.path)).toEqual(['/', '/etc', '/opt', '/opt/d']);
});
