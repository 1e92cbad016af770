import { expect, test } from 'vitest';
import { AclError, aclTextToXattr } from '../../src/tar/acl.js';

// The bytes `setfattr` stored for u::rwx,g::r-x,g:1000:r-x,m::rwx,o::r-x (test/fixtures/tar/README.md).
const KERNEL_BYTES = '0200000001000700ffffffff04000500ffffffff08000500e803000010000700ffffffff20000500ffffffff';

test('star/bsdtar text (any order, names with numeric ids) → the kernel xattr v2 bytes', () => {
  const hex = (s: string) => Buffer.from(aclTextToXattr(s)).toString('hex');
  expect(hex('user::rwx,group::r-x,other::r-x,group:cloudsdk:r-x:1000,mask::rwx')).toBe(KERNEL_BYTES);
  expect(hex('u::rwx\ng::r-x\ng:1000:r-x\nm::rwx\no::r-x\n')).toBe(KERNEL_BYTES);
});

test('named users sort by id after the owner', () => {
  const bytes = aclTextToXattr('user::rw-,user:b:r--:20,user:a:rw-:10,group::---,mask::rw-,other::---');
  const view = new DataView(bytes.buffer);
  expect([4, 12, 20].map((at) => [view.getUint16(at, true), view.getUint32(at + 4, true)])).toEqual([
    [0x01, 0xffffffff],
    [0x02, 10],
    [0x02, 20],
  ]);
});

test('a name without a numeric id cannot be resolved', () => {
  expect(() => aclTextToXattr('user::rwx,user:bob:rwx,group::r-x,mask::rwx,other::r-x')).toThrow(AclError);
});
