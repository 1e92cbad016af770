// xz: our encoder (src/compress/xz, streaming, one thread) against the reference
// `xz -T1 --check=crc32` at the same level (6, and TSDIB_BENCH_XZ_LEVELS=0,6,9 for others) on the same
// input in one run: a newc cpio (GNU cpio) of the first files of /usr/lib in sorted order, about
// TSDIB_BENCH_XZ_MIB (default 32) MiB, or TSDIB_BENCH_XZ_INPUT=FILE. Prints size, wall and CPU time,
// MB/s and peak RSS of each, our/their ratios, and checks our output with `xz -t`.
// Run directly as `node bench/compress.bench.mjs LEVEL IN OUT`, it is the child that compresses.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measure } from './lib/measure.mjs';

const SELF = fileURLToPath(import.meta.url);
const MIB = 1024 * 1024;
const LIMIT = Number(process.env.TSDIB_BENCH_XZ_MIB ?? 32) * MIB;
const LEVELS = (process.env.TSDIB_BENCH_XZ_LEVELS ?? '6').split(',').map(Number);

/** The child: streams IN through our encoder into OUT. */
async function compressChild([level, input, output]) {
  const { createXzCompressStream } = await import('../dist/compress/xz/index.js');
  await pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), createXzCompressStream({ level: Number(level) }), createWriteStream(output));
}

/** A cpio of the first regular files under /usr/lib (sorted) adding up to about LIMIT bytes. */
function makeInput(work) {
  if (process.env.TSDIB_BENCH_XZ_INPUT) return process.env.TSDIB_BENCH_XZ_INPUT;
  const found = spawnSync('find', ['.', '-xdev', '-type', 'f', '-size', '-8M'], { cwd: '/usr/lib', encoding: 'utf8', maxBuffer: 1 << 28 });
  const names = [];
  let total = 0;
  for (const name of found.stdout.split('\n').filter(Boolean).sort()) {
    if (total >= LIMIT) break;
    const size = statSync(join('/usr/lib', name), { throwIfNoEntry: false })?.size ?? 0;
    names.push(name);
    total += size;
  }
  const list = join(work, 'list');
  writeFileSync(list, names.join('\n') + '\n');
  const out = join(work, 'input.cpio');
  const r = spawnSync('sh', ['-c', 'cpio -o -H newc --quiet < "$1" > "$2"', 'sh', list, out], { cwd: '/usr/lib' });
  return r.status === 0 ? out : undefined;
}

const fmt = (v, d = 2) => (v === undefined ? 'n/a' : v.toFixed(d));

export default async function run() {
  if (spawnSync('xz', ['--version']).status !== 0) {
    console.log('xz not installed: skipped');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'tsdib-bench-xz-'));
  try {
    const input = makeInput(work);
    if (!input) {
      console.log('no input (set TSDIB_BENCH_XZ_INPUT=FILE): skipped');
      return;
    }
    const size = statSync(input).size;
    console.log(`input: ${(size / MIB).toFixed(1)} MiB (${process.env.TSDIB_BENCH_XZ_INPUT ?? 'newc cpio of the first files of /usr/lib'}); MB/s = input MB per wall second; cpu = user + system s`);
    console.log('level | ours: size, s, cpu, MB/s, peak MiB | xz -T1 --check=crc32: size, s, cpu, MB/s, peak MiB | size ratio | time ratio | cpu ratio');
    for (const level of LEVELS) {
      const oursOut = join(work, `ours-${level}.xz`);
      const theirsOut = join(work, `theirs-${level}.xz`);
      const ours = await measure(process.execPath, [SELF, String(level), input, oursOut]);
      if (ours.status !== 0) throw new Error(`our encoder failed: ${ours.stderr.slice(-500)}`);
      const check = spawnSync('xz', ['-t', oursOut]);
      if (check.status !== 0) throw new Error(`xz -t rejects our level ${level} output: ${check.stderr}`);
      const theirs = await measure('sh', ['-c', `xz -T1 -${level} --check=crc32 -c "$1" > "$2"`, 'sh', input, theirsOut]);
      if (theirs.status !== 0) throw new Error(`xz failed: ${theirs.stderr.slice(-500)}`);
      const a = statSync(oursOut).size;
      const b = statSync(theirsOut).size;
      const cpuRatio = ours.cpuSeconds !== undefined && theirs.cpuSeconds ? ours.cpuSeconds / theirs.cpuSeconds : undefined;
      console.log(
        `${String(level).padStart(5)} | ${a} B, ${fmt(ours.seconds)} s, ${fmt(ours.cpuSeconds)}, ${fmt(size / ours.seconds / 1e6, 1)} MB/s, ${fmt(ours.peakRssMiB, 0)} MiB` +
          ` | ${b} B, ${fmt(theirs.seconds)} s, ${fmt(theirs.cpuSeconds)}, ${fmt(size / theirs.seconds / 1e6, 1)} MB/s, ${fmt(theirs.peakRssMiB, 0)} MiB` +
          ` | ${fmt(a / b, 3)} | ${fmt(ours.seconds / theirs.seconds, 2)} | ${fmt(cpuRatio, 2)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await compressChild(process.argv.slice(2));
