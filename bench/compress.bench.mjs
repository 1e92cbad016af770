// xz and zstd: our encoders (src/compress/xz and src/compress/zstd, streaming, one thread) against the
// reference tools on the same input in one run, one table per codec:
//   xz: `xz -T1 --check=crc32` at level 6 (TSDIB_BENCH_XZ_LEVELS=0,6,9 for others) on a newc cpio (GNU cpio)
//     of the first files of /usr/lib in sorted order, about TSDIB_BENCH_XZ_MIB (default 32) MiB, or
//     TSDIB_BENCH_XZ_INPUT=FILE; our output checked with `xz -t`.
//   zstd: `zstd -T1` at levels 3 and 19 (TSDIB_BENCH_ZSTD_LEVELS) on a tar of /usr/lib/python3* (a real tree
//     of text and binaries) cut to TSDIB_BENCH_ZSTD_MIB (default 32) MiB, or TSDIB_BENCH_ZSTD_INPUT=FILE;
//     our output checked with `zstd -t`.
// Each row: size, wall and CPU time (steadier on a shared machine), MB/s (input MB per CPU second, per wall
// second without GNU time) and peak RSS of each, and our/their size, wall-time and CPU-time ratios.
// Run directly as `node bench/compress.bench.mjs xz|zstd LEVEL IN OUT`, it is the child that compresses.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measure } from './lib/measure.mjs';

const SELF = fileURLToPath(import.meta.url);
const MIB = 1024 * 1024;
const env = process.env;

/** What differs between the codecs: our stream, the reference command, the checker and the input. */
const CODECS = {
  xz: {
    levels: (env.TSDIB_BENCH_XZ_LEVELS ?? '6').split(',').map(Number),
    reference: 'xz -T1 --check=crc32',
    referenceArgv: (level, input, out) => ['sh', ['-c', `xz -T1 -${level} --check=crc32 -c "$1" > "$2"`, 'sh', input, out]],
    testArgs: ['-t'],
    ourStream: async (level) => (await import('../dist/compress/xz/index.js')).createXzCompressStream({ level }),
    inputName: env.TSDIB_BENCH_XZ_INPUT ?? 'newc cpio of the first files of /usr/lib',
    makeInput: (work) => env.TSDIB_BENCH_XZ_INPUT ?? usrLibCpio(work, Number(env.TSDIB_BENCH_XZ_MIB ?? 32) * MIB),
  },
  zstd: {
    levels: (env.TSDIB_BENCH_ZSTD_LEVELS ?? '3,19').split(',').map(Number),
    reference: 'zstd -T1',
    referenceArgv: (level, input, out) => ['zstd', ['-T1', `-${level}`, '-q', '-f', input, '-o', out]],
    testArgs: ['-t', '-q'],
    ourStream: async (level) => (await import('../dist/compress/zstd/index.js')).createZstdCompressStream({ level }),
    inputName: env.TSDIB_BENCH_ZSTD_INPUT ?? 'tar of /usr/lib/python3*',
    makeInput: (work) => cutTo(env.TSDIB_BENCH_ZSTD_INPUT ?? pythonTar(work), join(work, 'input.tar'), Number(env.TSDIB_BENCH_ZSTD_MIB ?? 32) * MIB),
  },
};

/** The child: streams IN through our encoder into OUT. */
async function compressChild([codec, level, input, output]) {
  const encoder = await CODECS[codec].ourStream(Number(level));
  await pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), encoder, createWriteStream(output));
}

/** A cpio of the first regular files under /usr/lib (sorted) adding up to about `limit` bytes. */
function usrLibCpio(work, limit) {
  const found = spawnSync('find', ['.', '-xdev', '-type', 'f', '-size', '-8M'], { cwd: '/usr/lib', encoding: 'utf8', maxBuffer: 1 << 28 });
  const names = [];
  let total = 0;
  for (const name of found.stdout.split('\n').filter(Boolean).sort()) {
    if (total >= limit) break;
    names.push(name);
    total += statSync(join('/usr/lib', name), { throwIfNoEntry: false })?.size ?? 0;
  }
  const list = join(work, 'list');
  writeFileSync(list, names.join('\n') + '\n');
  const out = join(work, 'input.cpio');
  const r = spawnSync('sh', ['-c', 'cpio -o -H newc --quiet < "$1" > "$2"', 'sh', list, out], { cwd: '/usr/lib' });
  return r.status === 0 ? out : undefined;
}

/** A tar of Python's library under /usr/lib. */
function pythonTar(work) {
  const dirs = existsSync('/usr/lib') ? readdirSync('/usr/lib').filter((d) => /^python3/.test(d)) : [];
  if (dirs.length === 0) return undefined;
  const out = join(work, 'full.tar');
  const r = spawnSync('tar', ['--sort=name', '-cf', out, '-C', '/usr/lib', ...dirs], { stdio: 'ignore' });
  return r.status === 0 || r.status === 1 ? out : undefined;
}

/** The first `limit` bytes of `from`, copied to `out`. */
function cutTo(from, out, limit) {
  if (!from) return undefined;
  const fdIn = openSync(from, 'r');
  const fdOut = openSync(out, 'w');
  const buf = Buffer.alloc(MIB);
  for (let total = 0; ; ) {
    const n = readSync(fdIn, buf, 0, Math.min(MIB, limit - total), null);
    if (n <= 0) break;
    writeSync(fdOut, buf, 0, n);
    total += n;
  }
  closeSync(fdIn);
  closeSync(fdOut);
  return out;
}

const fmt = (v, d = 2) => (v === undefined ? 'n/a' : v.toFixed(d));

/** One side of a row: size, wall s, CPU s, MB/s (per CPU second when known), peak MiB. */
function side(bytes, r, inputSize) {
  return `${bytes} B, ${fmt(r.seconds)} s, ${fmt(r.cpuSeconds)} s, ${fmt(inputSize / (r.cpuSeconds ?? r.seconds) / 1e6, 1)} MB/s, ${fmt(r.peakRssMiB, 0)} MiB`;
}

async function benchCodec(name, codec) {
  console.log(`\n${name}:`);
  if (spawnSync(name, ['--version']).status !== 0) {
    console.log(`${name} not installed: skipped`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), `tsdib-bench-${name}-`));
  try {
    const input = codec.makeInput(work);
    if (!input) {
      console.log(`no input (set TSDIB_BENCH_${name.toUpperCase()}_INPUT=FILE): skipped`);
      return;
    }
    const size = statSync(input).size;
    console.log(`input: ${(size / MIB).toFixed(1)} MiB (${codec.inputName}); MB/s = input MB per CPU second (wall without GNU time)`);
    console.log(`level | ours: size, wall s, cpu s, MB/s, peak MiB | ${codec.reference}: the same | size ratio | wall ratio | cpu ratio`);
    for (const level of codec.levels) {
      const oursOut = join(work, `ours-${level}.${name}`);
      const theirsOut = join(work, `theirs-${level}.${name}`);
      const ours = await measure(process.execPath, [SELF, name, String(level), input, oursOut]);
      if (ours.status !== 0) throw new Error(`our ${name} encoder failed: ${ours.stderr.slice(-500)}`);
      const check = spawnSync(name, [...codec.testArgs, oursOut]);
      if (check.status !== 0) throw new Error(`${name} -t rejects our level ${level} output: ${check.stderr}`);
      const theirs = await measure(...codec.referenceArgv(level, input, theirsOut));
      if (theirs.status !== 0) throw new Error(`${name} failed: ${theirs.stderr.slice(-500)}`);
      const a = statSync(oursOut).size;
      const b = statSync(theirsOut).size;
      const cpuRatio = ours.cpuSeconds !== undefined && theirs.cpuSeconds ? ours.cpuSeconds / theirs.cpuSeconds : undefined;
      console.log(
        `${String(level).padStart(5)} | ${side(a, ours, size)} | ${side(b, theirs, size)} | ${fmt(a / b, 3)} | ${fmt(ours.seconds / theirs.seconds, 2)} | ${fmt(cpuRatio, 2)}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export default async function run() {
  for (const [name, codec] of Object.entries(CODECS)) await benchCodec(name, codec);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await compressChild(process.argv.slice(2));
