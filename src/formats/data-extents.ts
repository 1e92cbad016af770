/**
 * Where a sparse file holds data, asked of the kernel with lseek(SEEK_DATA / SEEK_HOLE), which is how
 * qemu-img skips the holes of a raw image. Node.js cannot make that call (no lseek, no FIEMAP), but
 * perl's builtin sysseek passes any `whence` through to lseek, and perl is on every Debian, Ubuntu and
 * macOS host. So when perl is on PATH, `convert` reads only the extents this returns; without perl,
 * or on a filesystem without SEEK_DATA, it gets undefined and reads the whole file as before (holes
 * and zeros are skipped as they are read). The bytes read are the same either way: a hole reads as
 * zeros, and unwritten (fallocated) extents may land on either side, zeros too.
 */
import { spawnSync } from 'node:child_process';
import type { ByteRange } from '../disk/index.js';

/** lseek's `whence` values per platform (Linux and the BSDs: 3/4; macOS swaps them). */
const WHENCE: Partial<Record<NodeJS.Platform, { data: number; hole: number }>> = {
  linux: { data: 3, hole: 4 },
  freebsd: { data: 3, hole: 4 },
  darwin: { data: 4, hole: 3 },
};

/** Exit 0: the extents are complete (ENXIO ended the walk). Anything else: do not trust them. */
const EXTENTS_PROGRAM = `
use strict; use warnings;
my ($path, $DATA, $HOLE) = @ARGV;
open(my $f, '<', $path) or exit 3;
my $size = -s $f; my $pos = 0;
while ($pos < $size) {
  my $d = sysseek($f, $pos, $DATA);
  if (!defined $d) { exit 0 if $!{ENXIO}; exit 3; }
  my $h = sysseek($f, $d, $HOLE);
  exit 3 if !defined $h;
  print $d + 0, ' ', $h - $d, "\\n";
  $pos = $h;
}
`;

/** Parses the program's "offset length" lines; undefined if any line is not two integers. */
export function parseExtentLines(text: string): ByteRange[] | undefined {
  const ranges: ByteRange[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) return undefined;
    const length = Number(m[2]);
    if (length > 0) ranges.push({ offset: Number(m[1]), length });
  }
  return ranges;
}

/**
 * The data extents of `path` (ascending, clipped to `size`), or undefined when they cannot be known
 * here (no perl, an unsupported platform or filesystem): then the caller reads everything.
 */
export function dataExtents(path: string, size: number, platform: NodeJS.Platform = process.platform): ByteRange[] | undefined {
  const whence = WHENCE[platform];
  if (!whence) return undefined;
  const run = spawnSync('perl', ['-e', EXTENTS_PROGRAM, path, String(whence.data), String(whence.hole)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) return undefined;
  const ranges = parseExtentLines(run.stdout);
  return ranges?.map((r) => ({ offset: r.offset, length: Math.min(r.length, size - r.offset) })).filter((r) => r.length > 0);
}
