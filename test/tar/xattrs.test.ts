import { expect, test } from 'vitest';
import { XattrError, xattrRecord, xattrsFromPax } from '../../src/tar/xattrs.js';

const rec = (key: string, value: string | Uint8Array) => ({ key, value: typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'latin1')) : value });
const hex = (v: Uint8Array | undefined) => v && Buffer.from(v).toString('hex');

test('SCHILY values are raw bytes; LIBARCHIVE values are base64 (with or without padding) and win', () => {
  const m = xattrsFromPax([
    rec('SCHILY.xattr.user.raw', new Uint8Array([0x80, 0xff, 0x00])),
    rec('SCHILY.xattr.user.both', 'schily'),
    rec('LIBARCHIVE.xattr.user.both', Buffer.from([0x80, 0x81]).toString('base64').replace(/=+$/, '')),
    rec('LIBARCHIVE.xattr.user.sp%20ace', 'AQ=='),
    rec('mtime', '1'),
  ]);
  expect(hex(m.get('user.raw'))).toBe('80ff00');
  expect(hex(m.get('user.both'))).toBe('8081');
  expect(hex(m.get('user.sp ace'))).toBe('01');
  expect([...m.keys()].sort()).toEqual(['user.both', 'user.raw', 'user.sp ace']);
});

test('a later record (an entry over a global header) wins', () => {
  const m = xattrsFromPax([rec('SCHILY.xattr.user.x', 'global'), rec('SCHILY.xattr.user.x', 'own')]);
  expect(Buffer.from(m.get('user.x')!).toString()).toBe('own');
});

test('textual ACLs fill system.posix_acl_* only when the binary xattr is absent', () => {
  const binary = new Uint8Array([2, 0, 0, 0]);
  const m = xattrsFromPax([rec('SCHILY.acl.access', 'user::rwx,group::r-x,other::r-x'), rec('SCHILY.xattr.system.posix_acl_access', binary)]);
  expect(hex(m.get('system.posix_acl_access'))).toBe('02000000');
  const d = xattrsFromPax([rec('SCHILY.acl.default', 'user::rwx,group::r-x,other::---')]);
  expect(d.get('system.posix_acl_default')!.length).toBe(4 + 3 * 8);
});

test('bad input is an XattrError', () => {
  expect(() => xattrsFromPax([rec('LIBARCHIVE.xattr.user.x', 'not base64!')])).toThrow(XattrError);
  expect(() => xattrsFromPax([rec('SCHILY.xattr.', 'v')])).toThrow(XattrError);
  expect(() => xattrsFromPax([rec('SCHILY.acl.access', 'user:bob:rwx')])).toThrow(/without a numeric id/);
});

test('the writer escapes "=" and "%" in names as GNU tar does, and the reader undoes it', () => {
  const r = xattrRecord('user.a=b%c', new Uint8Array([1]));
  expect(r.key).toBe('SCHILY.xattr.user.a%3Db%25c');
  expect([...xattrsFromPax([r]).keys()]).toEqual(['user.a=b%c']);
});
