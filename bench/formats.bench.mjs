// raw → qcow2, raw → qcow2 -c, raw → vhd: tsdib convert against qemu-img convert on the same
// ~2 GiB sparse raw with ~700 MiB of data, in one run. Prints time and peak-RSS ratios (ours/theirs).
// Targets (issue 3): qcow2 ratio <= 1, qcow2 -c ratio <= 0.5 on 2 cores, our peak RSS < 200 MiB.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBenchImage } from './lib/image.mjs';
import { measure } from './lib/measure.mjs';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const MIB = 1024 * 1024;

const CASES = [
  { name: 'raw → qcow2', ours: ['-O', 'qcow2'], theirs: ['-O', 'qcow2'], ext: 'qcow2' },
  { name: 'raw → qcow2 -c', ours: ['-O', 'qcow2', '-c'], theirs: ['-O', 'qcow2', '-c'], ext: 'qcow2' },
  { name: 'raw → vhd (dynamic)', ours: ['-O', 'vhd'], theirs: ['-O', 'vpc', '-o', 'force_size=on'], ext: 'vhd' },
];

function fmt(n, digits = 2) {
  return n.toFixed(digits).padStart(7);
}

export default async function bench() {
  const dir = mkdtempSync(join(process.env.TSDIB_BENCH_DIR ?? tmpdir(), 'tsdib-bench-'));
  try {
    const input = join(dir, 'in.raw');
    const data = makeBenchImage(input);
    console.log(`input: ${(statSync(input).size / MIB).toFixed(0)} MiB sparse raw, ${(data / MIB).toFixed(0)} MiB of data; ${availableParallelism()} cores (shared machine: figures vary run to run)`);
    console.log('ours: tsdib convert, which fsyncs its output before the atomic rename. qemu: qemu-img convert (no fsync);');
    console.log('qemu+sync: the same followed by `sync OUT`, the like-for-like figure. CPU = user + system seconds.');
    console.log(`${'case'.padEnd(22)} ${'ours s'.padStart(7)} ${'qemu s'.padStart(7)} ${'q+sync'.padStart(7)} ${'time×'.padStart(7)} ${'×sync'.padStart(7)} ${'ours cpu'.padStart(8)} ${'qemu cpu'.padStart(8)} ${'ours MiB'.padStart(9)} ${'qemu MiB'.padStart(9)} ${'RSS×'.padStart(7)} ${'ours out'.padStart(9)} ${'qemu out'.padStart(9)}`);
    for (const c of CASES) {
      const oursOut = join(dir, `ours.${c.ext}`);
      const theirsOut = join(dir, `theirs.${c.ext}`);
      const theirs = await measure('qemu-img', ['convert', '-f', 'raw', ...c.theirs, input, theirsOut]);
      const flush = await measure('sync', [theirsOut]);
      const ours = await measure(process.execPath, [CLI, 'convert', '-q', '--seed', 'bench', ...c.ours, input, oursOut]);
      if (ours.status !== 0 || theirs.status !== 0) throw new Error(`${c.name} failed: ${ours.stderr}${theirs.stderr}`);
      const size = (p) => statSync(p).blocks * 512 / MIB;
      const durable = theirs.seconds + flush.seconds;
      const cpu = (r) => (r.cpuSeconds === undefined ? '     n/a' : fmt(r.cpuSeconds).padStart(8));
      console.log(
        `${c.name.padEnd(22)} ${fmt(ours.seconds)} ${fmt(theirs.seconds)} ${fmt(durable)} ${fmt(ours.seconds / theirs.seconds)} ${fmt(ours.seconds / durable)} ${cpu(ours)} ${cpu(theirs)} ${fmt(ours.peakRssMiB, 0).padStart(9)} ${fmt(theirs.peakRssMiB, 0).padStart(9)} ${fmt(ours.peakRssMiB / theirs.peakRssMiB)} ${fmt(size(oursOut), 0).padStart(9)} ${fmt(size(theirsOut), 0).padStart(9)}`,
      );
      rmSync(oursOut, { force: true });
      rmSync(theirsOut, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
