/**
 * Extended attributes carried in pax records, as bytes.
 *  - `SCHILY.xattr.NAME=VALUE` (star, GNU tar --xattrs, bsdtar): VALUE is the raw attribute value.
 *    GNU tar escapes "=" and "%" in NAME as %3D and %25 (tar 1.30+, xattrs.c xattr_encode_keyword).
 *  - `LIBARCHIVE.xattr.NAME=VALUE` (bsdtar): NAME is percent-encoded, VALUE is base64.
 * When both name the same attribute, the LIBARCHIVE one wins (it is libarchive's own, lossless form).
 * POSIX ACLs arrive as system.posix_acl_access / system.posix_acl_default in the Linux xattr v2 binary
 * encoding (GNU tar --xattrs) and are passed on unchanged; the textual `SCHILY.acl.access/default`
 * records (star, bsdtar --acls) are encoded into those xattrs (acl.ts) unless the binary form is there too.
 */
import { AclError, aclTextToXattr } from './acl.js';
import type { PaxRecord } from './pax.js';
import { NO_XATTRS } from '../tree/tree.js';

const SCHILY = 'SCHILY.xattr.';
const LIBARCHIVE = 'LIBARCHIVE.xattr.';

export class XattrError extends Error {}

/** The xattrs named by `records` (globals first, then the entry's own: later records win). */
export function xattrsFromPax(records: readonly PaxRecord[]): Map<string, Uint8Array> {
  const schily = new Map<string, Uint8Array>();
  const libarchive = new Map<string, Uint8Array>();
  for (const r of records) {
    if (r.key.startsWith(SCHILY)) schily.set(decodeGnuKeyword(r.key.slice(SCHILY.length)), r.value);
    else if (r.key.startsWith(LIBARCHIVE)) libarchive.set(decodePercent(r.key.slice(LIBARCHIVE.length)), decodeBase64(r.value, r.key));
  }
  for (const [k, v] of libarchive) schily.set(k, v);
  const aclTexts = new Map<string, PaxRecord>();
  for (const r of records) {
    if (r.key === 'SCHILY.acl.access') aclTexts.set('system.posix_acl_access', r);
    else if (r.key === 'SCHILY.acl.default') aclTexts.set('system.posix_acl_default', r);
  }
  for (const [xattr, r] of aclTexts) {
    if (!schily.has(xattr) && r.value.length > 0) schily.set(xattr, aclFromText(r.value, r.key));
  }
  for (const k of schily.keys()) if (k === '') throw new XattrError('xattr record with an empty name');
  return schily.size === 0 ? NO_XATTRS : schily;
}

/** The pax record for one xattr (the writer's form: SCHILY, raw value). */
export function xattrRecord(name: string, value: Uint8Array): PaxRecord {
  return { key: SCHILY + name.replace(/%/g, '%25').replace(/=/g, '%3D'), value };
}

function aclFromText(value: Uint8Array, key: string): Uint8Array {
  try {
    return aclTextToXattr(Buffer.from(value).toString('utf8'));
  } catch (e) {
    if (e instanceof AclError) throw new XattrError(`${key}: ${e.message}`);
    throw e;
  }
}

function decodeGnuKeyword(name: string): string {
  return name.replace(/%3D/g, '=').replace(/%25/g, '%');
}

function decodePercent(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    throw new XattrError(`LIBARCHIVE.xattr name "${name}" is badly percent-encoded`);
  }
}

function decodeBase64(value: Uint8Array, key: string): Uint8Array {
  const text = Buffer.from(value).toString('latin1');
  // libarchive writes base64 without "=" padding; Node accepts both. Reject anything else outright.
  if (!/^[A-Za-z0-9+/]*=*$/.test(text)) throw new XattrError(`${key}: value is not base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}
