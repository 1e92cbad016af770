import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { findPayload, listPayloadDir, readPayload, requirePayload } from '../../src/boot/payload.js';
import { FileTree, bytesBody } from '../../src/tree/index.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();

test('the rootfs wins; the host is the fallback; symlinks in the rootfs are followed', () => {
  const host = tmp();
  mkdirSync(join(host, 'usr/lib/x'), { recursive: true });
  writeFileSync(join(host, 'usr/lib/x/a.bin'), 'host-a');
  writeFileSync(join(host, 'usr/lib/x/b.bin'), 'host-b');
  const tree = new FileTree();
  tree.addFile('/usr/lib/real/a.bin', bytesBody(new TextEncoder().encode('tree-a')));
  tree.addSymlink('/usr/lib/x', 'real');
  const src = { tree, hostRoot: host };
  expect(new TextDecoder().decode(readPayload(findPayload(src, '/usr/lib/x/a.bin')!))).toBe('tree-a');
  expect(findPayload(src, '/usr/lib/x/a.bin')!.from).toBe('rootfs');
  const b = findPayload(src, '/usr/lib/x/b.bin')!;
  expect([b.from, new TextDecoder().decode(readPayload(b))]).toEqual(['host', 'host-b']);
  expect(findPayload({ ...src, hostFallback: false }, '/usr/lib/x/b.bin')).toBeUndefined();
  // A directory in the rootfs is listed from the rootfs only (one GRUB build, never mixed with the host's).
  expect([...listPayloadDir(src, '/usr/lib/x').keys()]).toEqual(['a.bin']);
  const hostOnly = { tree: new FileTree(), hostRoot: host };
  expect([...listPayloadDir(hostOnly, '/usr/lib/x').keys()]).toEqual(['a.bin', 'b.bin']);
  expect(() => requirePayload({ tree, hostFallback: false }, '/usr/lib/none.bin', 'some-package')).toThrow(/none\.bin is missing/);
});
