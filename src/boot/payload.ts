/**
 * Bootloader payloads (boot.img, *.mod, systemd-bootx64.efi, mbr.bin, ...) come from the image's own
 * rootfs, so the loader matches what the image's own tools would install; when the rootfs lacks them
 * they are taken from the same path on the host (DESIGN.md §3), never from this repository.
 */
import * as fs from 'node:fs';
import { inputError } from '../errors.js';
import { BodyReader, hostFileBody, type Body, type FileTree } from '../tree/index.js';
import { resolvePath } from './tree-path.js';

export interface Payload {
  /** Path as the rootfs names it ("/usr/lib/grub/i386-pc/boot.img"). */
  readonly path: string;
  readonly from: 'rootfs' | 'host';
  readonly body: Body;
}

export interface PayloadSource {
  readonly tree: FileTree;
  /** Look on the host when the rootfs lacks a file (default true); tests turn it off. */
  readonly hostFallback?: boolean;
  /** Host root for the fallback ("/" by default; tests point it elsewhere). */
  readonly hostRoot?: string;
}

function hostPath(src: PayloadSource, path: string): string {
  const root = src.hostRoot ?? '/';
  return root === '/' ? path : `${root.replace(/\/$/, '')}${path}`;
}

/** The file at `path` in the rootfs, else on the host, else undefined. */
export function findPayload(src: PayloadSource, path: string): Payload | undefined {
  const inTree = resolvePath(src.tree, path);
  if (inTree?.inode.type === 'file' && inTree.inode.body) return { path, from: 'rootfs', body: inTree.inode.body };
  if (src.hostFallback === false) return undefined;
  try {
    const p = hostPath(src, path);
    const st = fs.statSync(p);
    if (st.isFile()) return { path, from: 'host', body: hostFileBody(p, st.size) };
  } catch {
    // absent on the host too
  }
  return undefined;
}

/** Whether a directory exists in the rootfs or (with fallback) on the host. */
export function hasPayloadDir(src: PayloadSource, path: string): boolean {
  if (resolvePath(src.tree, path)?.inode.type === 'dir') return true;
  if (src.hostFallback === false) return false;
  try {
    return fs.statSync(hostPath(src, path)).isDirectory();
  } catch {
    return false;
  }
}

/** The regular files directly in a payload directory, by name (rootfs first; host when the rootfs has none). */
export function listPayloadDir(src: PayloadSource, dir: string): Map<string, Payload> {
  const out = new Map<string, Payload>();
  const inTree = resolvePath(src.tree, dir);
  if (inTree?.inode.type === 'dir') {
    for (const name of inTree.inode.children!.keys()) {
      const p = findPayload({ ...src, hostFallback: false }, `${inTree.path}/${name}`);
      if (p) out.set(name, { ...p, path: `${dir}/${name}` });
    }
    return out;
  }
  if (src.hostFallback === false) return out;
  try {
    for (const name of fs.readdirSync(hostPath(src, dir)).sort()) {
      const p = findPayload(src, `${dir}/${name}`);
      if (p) out.set(name, p);
    }
  } catch {
    // no such directory
  }
  return out;
}

/** Reads a (small) payload whole: boot sectors, GRUB's kernel.img and modules. */
export function readPayload(p: Payload, maxBytes = 16 * 1024 * 1024): Uint8Array {
  if (p.body.size > maxBytes) throw inputError(`${p.path}: ${p.body.size} bytes is too big for a bootloader payload`);
  const reader = new BodyReader();
  try {
    return reader.read(p.body, 0, p.body.size);
  } finally {
    reader.close();
  }
}

/** Like findPayload, but a missing file is an input error naming the package that ships it. */
export function requirePayload(src: PayloadSource, path: string, debianPackage: string): Payload {
  const p = findPayload(src, path);
  if (!p) throw inputError(`bootloader payload ${path} is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'}`, `install ${debianPackage} in the rootfs`);
  return p;
}
