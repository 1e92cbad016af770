/**
 * Textual POSIX ACLs (pax `SCHILY.acl.access` / `SCHILY.acl.default`, as star and bsdtar write them:
 * "user::rwx,group::r-x,group:staff:r-x:1000,mask::rwx,other::r-x", the numeric id last) → the Linux
 * xattr v2 encoding of system.posix_acl_access / system.posix_acl_default
 * (include/uapi/linux/posix_acl_xattr.h: a 4-byte version 2, then 8-byte entries {u16 tag, u16 perm,
 * u32 id}, little-endian, sorted by tag then id as the kernel's posix_acl_valid requires).
 */

export class AclError extends Error {}

// posix_acl.h tags.
const ACL_USER_OBJ = 0x01;
const ACL_USER = 0x02;
const ACL_GROUP_OBJ = 0x04;
const ACL_GROUP = 0x08;
const ACL_MASK = 0x10;
const ACL_OTHER = 0x20;
const ACL_UNDEFINED_ID = 0xffffffff;
const POSIX_ACL_XATTR_VERSION = 2;
const HEADER_SIZE = 4;
const ENTRY_SIZE = 8;

interface AclEntry {
  tag: number;
  perm: number;
  id: number;
}

/** Encodes a textual ACL; named entries need a numeric id (4th field, or a numeric qualifier). */
export function aclTextToXattr(text: string): Uint8Array {
  const entries = text
    .split(/[,\n]/)
    .map((e) => e.replace(/#.*$/, '').trim())
    .filter((e) => e !== '')
    .map(parseEntry);
  entries.sort((a, b) => a.tag - b.tag || a.id - b.id);
  const out = new Uint8Array(HEADER_SIZE + ENTRY_SIZE * entries.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, POSIX_ACL_XATTR_VERSION, true);
  entries.forEach((e, i) => {
    const at = HEADER_SIZE + i * ENTRY_SIZE;
    view.setUint16(at, e.tag, true);
    view.setUint16(at + 2, e.perm, true);
    view.setUint32(at + 4, e.id, true);
  });
  return out;
}

function parseEntry(text: string): AclEntry {
  const [tagName, qualifier = '', perms = '', idField] = text.split(':');
  const named = qualifier !== '';
  const perm = parsePerms(perms, text);
  switch (tagName) {
    case 'user':
    case 'u':
      return named ? { tag: ACL_USER, perm, id: numericId(qualifier, idField, text) } : { tag: ACL_USER_OBJ, perm, id: ACL_UNDEFINED_ID };
    case 'group':
    case 'g':
      return named ? { tag: ACL_GROUP, perm, id: numericId(qualifier, idField, text) } : { tag: ACL_GROUP_OBJ, perm, id: ACL_UNDEFINED_ID };
    case 'mask':
    case 'm':
      return { tag: ACL_MASK, perm, id: ACL_UNDEFINED_ID };
    case 'other':
    case 'o':
      return { tag: ACL_OTHER, perm, id: ACL_UNDEFINED_ID };
    default:
      throw new AclError(`ACL entry "${text}": unknown tag`);
  }
}

function parsePerms(perms: string, entry: string): number {
  if (!/^[r-]?[w-]?[x-]?$/.test(perms) || perms === '') throw new AclError(`ACL entry "${entry}": bad permissions "${perms}"`);
  return (perms.includes('r') ? 4 : 0) | (perms.includes('w') ? 2 : 0) | (perms.includes('x') ? 1 : 0);
}

function numericId(qualifier: string, idField: string | undefined, entry: string): number {
  const s = idField ?? qualifier;
  if (!/^\d+$/.test(s) || Number(s) >= ACL_UNDEFINED_ID) {
    throw new AclError(`ACL entry "${entry}" names "${qualifier}" without a numeric id (the image's user database is not consulted)`);
  }
  return Number(s);
}
