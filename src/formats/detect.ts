/** Picks a decoder by magic, never by file name. */
import { isQcow2Magic } from './qcow2/magic.js';
import { isVdiHeader } from './vdi/header.js';
import { looksLikeVhd } from './vhd/decode.js';
import { isVmdkHeader } from './vmdk/header.js';
import type { ByteSource, ImageFormat } from './types.js';

/** The container format of `source`; anything without a known magic is raw. */
export function detectFormat(source: ByteSource): ImageFormat {
  const head = source.read(0, Math.min(512, source.size));
  if (isQcow2Magic(head)) return 'qcow2';
  if (isVmdkHeader(head) || Buffer.from(head.subarray(0, 21)).toString('latin1') === '# Disk DescriptorFile') return 'vmdk';
  if (isVdiHeader(head)) return 'vdi';
  if (looksLikeVhd(source)) return 'vhd';
  return 'raw';
}
