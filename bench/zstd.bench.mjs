// zstd: our encoder (src/compress/zstd, streaming, one thread) against the reference `zstd -T1` at
// levels 3 and 19 on the same real tree in one run: a tar of /usr/lib/python3* (or
// TSDIB_BENCH_ZSTD_INPUT=FILE), cut to TSDIB_BENCH_ZSTD_MIB (default 32) MiB. Prints size, wall time
// (and CPU time, steadier on a shared machine) and peak RSS of each, our/their ratios, and checks our
// output with `zstd -t`. TSDIB_BENCH_ZSTD_LEVELS=3,19 picks the levels.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/measure.mjs';

const COMPRESS = fileURLToPath(new URL('./lib/zstd-compress.mjs', import.meta.url));
const MIB = 1024 * 1024;
const LIMIT = Number(process.env.TSDIB_BENCH_ZSTD_MIB ?? 32) * MIB;
const LEVELS = (process.env.TSDIB_BENCH_ZSTD_LEVELS ?? '3,19').split(',').map(Number);

function haveZstd() {
  return spawnSync('zstd', ['--version']).status === 0;
}

/** The input: the given file, or a tar of Python's library (a real tree of text and binaries), cut to LIMIT. */
function makeInput(work) {
  const out = join(work, 'input.tar');
  const source = process.env.TSDIB_BENCH_ZSTD_INPUT;
  let from = source;
  if (!from) {
    const dirs = existsSync('/usr/lib') ? readdirSync('/usr/lib').filter((d) => /^python3/.test(d)) : [];
    if (dirs.length === 0) return undefined;
    from = join(work, 'full.tar');
    const r = spawnSync('tar', ['--sort=name', '-cf', from, '-C', '/usr/lib', ...dirs], { stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) return undefined;
  }
  const fdIn = openSync(from, 'r');
  const fdOut = openSync(out, 'w');
  const buf = Buffer.alloc(MIB);
  let total = 0;
  for (;;) {
    const n = readSync(fdIn, buf, 0, Math.min(MIB, LIMIT - total), null);
    if (n <= 0) break;
    writeSync(fdOut, buf, 0, n);
    total += n;
  }
  closeSync(fdIn);
  closeSync(fdOut);
  if (!source) rmSync(from);
  return out;
}

const fmt = (v, d = 2) => (v === undefined ? 'n/a' : v.toFixed(d));

export default async function run() {
  if (!haveZstd()) {
    console.log('zstd not installed: skipped');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'tsdib-bench-zstd-'));
  try {
    const input = makeInput(work);
    if (!input) {
      console.log('no input (set TSDIB_BENCH_ZSTD_INPUT=FILE): skipped');
      return;
    }
    const size = statSync(input).size;
    console.log(`input: ${(size / MIB).toFixed(1)} MiB (${process.env.TSDIB_BENCH_ZSTD_INPUT ?? 'tar of /usr/lib/python3*'})`);
    console.log('level | ours: size, wall s, cpu s, MB/s (cpu), peak MiB | zstd -T1: the same | size ratio | cpu time ratio');
    for (const level of LEVELS) {
      const oursOut = join(work, `ours-${level}.zst`);
      const theirsOut = join(work, `theirs-${level}.zst`);
      const ours = await measure(process.execPath, [COMPRESS, String(level), input, oursOut]);
      if (ours.status !== 0) throw new Error(`our encoder failed: ${ours.stderr.slice(-500)}`);
      const check = spawnSync('zstd', ['-t', '-q', oursOut]);
      if (check.status !== 0) throw new Error(`zstd -t rejects our level ${level} output: ${check.stderr}`);
      const theirs = await measure('zstd', ['-T1', `-${level}`, '-q', '-f', input, '-o', theirsOut]);
      if (theirs.status !== 0) throw new Error(`zstd failed: ${theirs.stderr.slice(-500)}`);
      const a = statSync(oursOut).size;
      const b = statSync(theirsOut).size;
      const line = (bytes, r) => {
        const cpu = r.cpuSeconds ?? r.seconds;
        return `${bytes} B, ${fmt(r.seconds)} s, ${fmt(r.cpuSeconds)} s, ${fmt(size / cpu / 1e6, 1)} MB/s, ${fmt(r.peakRssMiB, 0)} MiB`;
      };
      const timeRatio = (ours.cpuSeconds ?? ours.seconds) / (theirs.cpuSeconds ?? theirs.seconds);
      console.log(`${String(level).padStart(5)} | ${line(a, ours)} | ${line(b, theirs)} | ${fmt(a / b, 3)} | ${fmt(timeRatio, 1)}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
