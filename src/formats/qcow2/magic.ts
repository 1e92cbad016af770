import { QCOW2_MAGIC } from './header.js';

/** "QFI\xfb" at offset 0 (qcow2.txt "Header", magic). Also matches qcow version 1, which the decoder refuses by name. */
export function isQcow2Magic(head: Uint8Array): boolean {
  return head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === QCOW2_MAGIC;
}
