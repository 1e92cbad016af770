import { describe, expect, test } from 'vitest';
import { aclXattrToExt4 } from '../../../src/fs/ext4/acl.js';

describe('aclXattrToExt4', () => {
  test('short entries for *_OBJ/MASK/OTHER, full entries for USER/GROUP (fs/ext4/acl.h layout)', () => {
    // xattr v2: user::rw- user:1000:r-- group::r-- group:50:rw- mask::rw- other::---
    const x = new Uint8Array(4 + 6 * 8);
    const v = new DataView(x.buffer);
    v.setUint32(0, 2, true);
    const entries: [number, number, number][] = [[1, 6, 0xffffffff], [2, 4, 1000], [4, 4, 0xffffffff], [8, 6, 50], [0x10, 6, 0xffffffff], [0x20, 0, 0xffffffff]];
    entries.forEach(([tag, perm, id], k) => {
      v.setUint16(4 + 8 * k, tag, true);
      v.setUint16(6 + 8 * k, perm, true);
      v.setUint32(8 + 8 * k, id, true);
    });
    expect([...aclXattrToExt4(x, 'f')]).toEqual([
      1, 0, 0, 0, // version 1
      1, 0, 6, 0, // USER_OBJ rw-
      2, 0, 4, 0, 0xe8, 0x03, 0, 0, // USER 1000 r--
      4, 0, 4, 0, // GROUP_OBJ r--
      8, 0, 6, 0, 50, 0, 0, 0, // GROUP 50 rw-
      0x10, 0, 6, 0, // MASK rw-
      0x20, 0, 0, 0, // OTHER ---
    ]);
  });
  test('refuses a wrong version or a ragged length, naming the file', () => {
    expect(() => aclXattrToExt4(new Uint8Array([1, 0, 0, 0]), '/x: system.posix_acl_access')).toThrow(/\/x: system.posix_acl_access: not a POSIX ACL/);
    expect(() => aclXattrToExt4(new Uint8Array([2, 0, 0, 0, 1]), 'f')).toThrow(/not a POSIX ACL/);
  });
});
