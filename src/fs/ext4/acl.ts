/**
 * POSIX ACLs: the Linux xattr v2 encoding (what tar's SCHILY.xattr.system.posix_acl_* and getxattr(2)
 * carry; include/uapi/linux/posix_acl_xattr.h) converted to ext4's own on-disk ACL format (fs/ext4/acl.h;
 * e2fsprogs lib/ext2fs/ext_attr.c converts the same way when mke2fs -d copies ACLs). Pure codec.
 */
import { inputError } from '../../errors.js';

// posix_acl_xattr.h: header u32 version (2), then entries { u16 tag, u16 perm, u32 id }.
const XATTR_ACL_VERSION = 2;
const XATTR_HEADER = 4;
const XATTR_ENTRY = 8;
// fs/ext4/acl.h: header u32 version (1), then short entries { u16 tag, u16 perm } for the
// *_OBJ/MASK/OTHER tags and full entries { u16 tag, u16 perm, u32 id } for USER/GROUP.
const EXT4_ACL_VERSION = 1;
const TAG_USER_OBJ = 0x01;
const TAG_USER = 0x02;
const TAG_GROUP_OBJ = 0x04;
const TAG_GROUP = 0x08;
const TAG_MASK = 0x10;
const TAG_OTHER = 0x20;

/** Converts a v2 xattr ACL value to ext4's format. `what` names the file and attribute for errors. */
export function aclXattrToExt4(value: Uint8Array, what: string): Uint8Array {
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (value.length < XATTR_HEADER || (value.length - XATTR_HEADER) % XATTR_ENTRY !== 0 || v.getUint32(0, true) !== XATTR_ACL_VERSION) {
    throw inputError(`${what}: not a POSIX ACL in the xattr version 2 encoding (${value.length} bytes)`, 'the tar carries a corrupt ACL');
  }
  const count = (value.length - XATTR_HEADER) / XATTR_ENTRY;
  const out = new Uint8Array(4 + count * 8);
  const o = new DataView(out.buffer);
  o.setUint32(0, EXT4_ACL_VERSION, true);
  let at = 4;
  for (let k = 0; k < count; k++) {
    const e = XATTR_HEADER + k * XATTR_ENTRY;
    const tag = v.getUint16(e, true);
    const perm = v.getUint16(e + 2, true);
    o.setUint16(at, tag, true);
    o.setUint16(at + 2, perm, true);
    switch (tag) {
      case TAG_USER_OBJ:
      case TAG_GROUP_OBJ:
      case TAG_MASK:
      case TAG_OTHER:
        at += 4;
        break;
      case TAG_USER:
      case TAG_GROUP:
        o.setUint32(at + 4, v.getUint32(e + 4, true), true);
        at += 8;
        break;
      default:
        throw inputError(`${what}: unknown ACL tag 0x${tag.toString(16)}`, 'the tar carries a corrupt ACL');
    }
  }
  return out.slice(0, at);
}
