/** Content digests (image-spec descriptor.md "Digests"): "sha256:" + 64 lowercase hex digits. */
import { createHash, type Hash } from 'node:crypto';

export const SHA256_PREFIX = 'sha256:';
const DIGEST = /^sha256:([a-f0-9]{64})$/;

export function sha256Digest(bytes: Uint8Array): string {
  return SHA256_PREFIX + createHash('sha256').update(bytes).digest('hex');
}

export function newSha256(): Hash {
  return createHash('sha256');
}

/** The hex part of a sha256 digest, or undefined when `digest` is not one. */
export function digestHex(digest: string): string | undefined {
  return DIGEST.exec(digest)?.[1];
}
