/** Reading ext4 images back with e2fsprogs (debugfs, e2fsck, dumpe2fs): the independent oracles. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../helpers/oracles.js';

export function fsck(image: string): { status: number; output: string } {
  const r = runTool('e2fsck', ['-fn', image]);
  return { status: r.status, output: r.stdout + r.stderr };
}

export function debugfs(image: string, request: string): string {
  const r = runTool('debugfs', ['-R', request, image]);
  if (r.status !== 0) throw new Error(`debugfs ${request}: ${r.stderr}`);
  return r.stdout;
}

export function dumpe2fsHeader(image: string): Map<string, string> {
  const r = runTool('dumpe2fs', ['-h', image]);
  const fields = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!.trim(), m[2]!.trim());
  }
  return fields;
}

export interface Stat {
  inode: number;
  type: string;
  mode: number;
  flags: number;
  uid: number;
  gid: number;
  size: number;
  links: number;
  blockcount: number;
  fileAcl: number;
  mtime: { sec: number; nsec: number };
  atime: { sec: number; nsec: number };
  ctime: { sec: number; nsec: number };
  device?: { major: number; minor: number };
  fastLink?: string;
  extents: string;
}

/** Parses `debugfs -R "stat PATH"`. */
export function stat(image: string, path: string): Stat {
  return parseStatText(debugfs(image, `stat "${path}"`), path);
}

function parseStatText(out: string, path: string): Stat {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`stat ${path}: no ${re} in\n${out}`);
    return m[1]!;
  };
  const time = (name: string) => {
    const m = new RegExp(`\\s${name}: 0x([0-9a-f]+):([0-9a-f]+)`).exec(out)!;
    const extra = parseInt(m[2]!, 16);
    // i_*time is signed; the two epoch bits of *_extra add multiples of 2^32 (ext4 inodes.rst).
    return { sec: (parseInt(m[1]!, 16) | 0) + (extra & 3) * 0x1_0000_0000, nsec: extra >>> 2 };
  };
  const dev = /Device major\/minor number: (\d+):(\d+)/.exec(out);
  const fast = /Fast link dest: "(.*)"/.exec(out);
  return {
    inode: Number(num(/Inode: (\d+)/)),
    type: num(/Type: ([A-Za-z ]+?)\s{2,}/),
    mode: parseInt(num(/Mode:\s+(\d+)/), 8),
    flags: parseInt(num(/Flags: 0x([0-9a-f]+)/), 16),
    uid: Number(num(/User:\s+(\d+)/)),
    gid: Number(num(/Group:\s+(\d+)/)),
    size: Number(num(/Size: (\d+)/)),
    links: Number(num(/Links: (\d+)/)),
    blockcount: Number(num(/Blockcount: (\d+)/)),
    fileAcl: Number(num(/File ACL: (\d+)/)),
    mtime: time('mtime'),
    atime: time('atime'),
    ctime: time('ctime'),
    device: dev ? { major: Number(dev[1]), minor: Number(dev[2]) } : undefined,
    fastLink: fast ? fast[1] : undefined,
    extents: /EXTENTS:\n(.*)/.exec(out)?.[1] ?? '',
  };
}

/** The bytes of an xattr as debugfs reads it (`ea_get -f`), or undefined when absent. */
export function eaGet(image: string, path: string, name: string, tmp: string): Uint8Array | undefined {
  const file = join(tmp, `ea-${Math.random().toString(36).slice(2)}`);
  const r = runTool('debugfs', ['-R', `ea_get -f ${file} "${path}" ${name}`, image]);
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    if (r.status !== 0 || /not found|No such/i.test(r.stderr)) return undefined;
    throw new Error(`ea_get ${path} ${name}: ${r.stderr}`);
  }
}

/** A file's content as debugfs reads it (`dump`). */
export function dump(image: string, path: string, tmp: string): Uint8Array {
  const file = join(tmp, `dump-${Math.random().toString(36).slice(2)}`);
  debugfs(image, `dump "${path}" ${file}`);
  return new Uint8Array(readFileSync(file));
}

/**
 * Runs many debugfs requests in one process (`debugfs -f`), returning the output of each request
 * (debugfs echoes "debugfs: REQUEST" before each one's output).
 */
export function debugfsBatch(image: string, requests: string[], tmp: string): string[] {
  const file = join(tmp, `requests-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${requests.join('\n')}\n`);
  const r = runTool('debugfs', ['-f', file, image]);
  if (r.status !== 0) throw new Error(`debugfs -f: ${r.stderr}`);
  const parts = r.stdout.split(/^debugfs: .*$/m);
  return parts.slice(1);
}

/** Parses one `stat` output (as from debugfsBatch). */
export function parseStat(out: string, path: string): Stat {
  return parseStatText(out, path);
}
