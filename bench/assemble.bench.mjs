// assemble: rootfs.tar → NAME.qcow2 (mbr layout, ext4 root), tsdib against the reference rootless
// chain on the same input in one run: [tar -xf, when mke2fs < 1.47.1 cannot read a tarball] +
// mke2fs -d + truncate/sfdisk + dd (sparse) + qemu-img convert -O qcow2. Sizes are tsdib's, so both
// build the same disk. Prints wall time and peak RSS of each, and the ratios. Targets (issue 5):
// tsdib at most half of the chain's time, peak RSS under 200 MiB. Input: TSDIB_BENCH_ROOTFS=FILE.tar,
// or the largest Debian rootfs the end-to-end tests cached.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/measure.mjs';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const REPEAT = Number(process.env.TSDIB_BENCH_REPEAT ?? 2);
const ENV = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', E2FSPROGS_FAKE_TIME: '1700000000' };

function findTool(name) {
  for (const d of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (existsSync(join(d, name))) return join(d, name);
  return undefined;
}

function rootfsTar() {
  if (process.env.TSDIB_BENCH_ROOTFS) return process.env.TSDIB_BENCH_ROOTFS;
  const dir = process.env.TSDIB_TEST_CACHE ?? join(tmpdir(), 'tsdib-test-cache');
  if (!existsSync(dir)) return undefined;
  const tars = readdirSync(dir).filter((n) => /^debian-.*\.tar$/.test(n)).map((n) => join(dir, n));
  return tars.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

function mke2fsReadsTar(mke2fs) {
  const r = spawnSync(mke2fs, ['-V'], { encoding: 'utf8' });
  const m = /mke2fs (\d+)\.(\d+)\.(\d+)/.exec(`${r.stdout}${r.stderr}`);
  return Boolean(m) && [Number(m[1]), Number(m[2]), Number(m[3])].reduce((acc, v) => acc * 1000 + v, 0) >= 1047001;
}

const fmt = (v, unit) => (v === undefined ? 'n/a' : `${v.toFixed(unit === 's' ? 2 : 0)} ${unit}`);

async function step(label, cmd, args, options = {}) {
  const r = await measure(cmd, args, { env: ENV, ...options });
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-500)}`);
  return { label, ...r };
}

async function runTsdib(tar, work) {
  const out = join(work, 'tsdib');
  rmSync(`${out}.qcow2`, { force: true });
  // --json goes to stdout, which measure() ignores: a second, unmeasured run is not needed because
  // the plan is printed into a file by a shell redirect.
  const json = join(work, 'tsdib.json');
  const r = await step('tsdib assemble', 'sh', ['-c', `exec "$0" "$@" > ${json}`, process.execPath, CLI, 'assemble', tar, '-o', out, '-t', 'qcow2', '--block-device', 'mbr', '--bootloader', 'none', '--seed', 'bench', '--quiet', '--json']);
  return { ...r, plan: JSON.parse(readFileSync(json, 'utf8')) };
}

async function runReference(tar, work, plan, mke2fs, fromTar) {
  const root = plan.partitions[0];
  const steps = [];
  let source = tar;
  if (!fromTar) {
    const dir = join(work, 'extracted');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    steps.push(await step('tar -xf', 'tar', ['-xf', tar, '-C', dir, '--exclude=./dev/*']));
    source = dir;
  }
  const fsImg = join(work, 'root.ext4');
  const disk = join(work, 'disk.raw');
  const qcow = join(work, 'ref.qcow2');
  for (const f of [fsImg, disk, qcow]) rmSync(f, { force: true });
  steps.push(await step('mke2fs -d', mke2fs, ['-q', '-F', '-t', 'ext4', '-L', 'cloudimg-rootfs', '-d', source, fsImg, `${root.size / 1024}k`]));
  const script = join(work, 'sfdisk.txt');
  writeFileSync(script, `label: dos\nunit: sectors\nstart=${root.offset / 512}, size=${root.size / 512}, type=83, bootable\n`);
  steps.push(await step('truncate + sfdisk', 'sh', ['-c', `truncate -s ${plan.size} ${disk} && sfdisk -q ${disk} < ${script}`]));
  steps.push(await step('dd (sparse)', 'dd', [`if=${fsImg}`, `of=${disk}`, 'bs=1M', `seek=${root.offset / 1048576}`, 'conv=notrunc,sparse', 'status=none']));
  steps.push(await step('qemu-img convert', 'qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', disk, qcow]));
  // tsdib fsyncs each output before its atomic rename; qemu-img does not, so the like-for-like chain syncs its output.
  steps.push(await step('sync OUT', 'sync', [qcow]));
  if (!fromTar) rmSync(join(work, 'extracted'), { recursive: true, force: true });
  const seconds = steps.reduce((a, s) => a + s.seconds, 0);
  const cpuSeconds = steps.every((s) => s.cpuSeconds !== undefined) ? steps.reduce((a, s) => a + s.cpuSeconds, 0) : undefined;
  const peak = Math.max(...steps.map((s) => s.peakRssMiB));
  return { seconds, cpuSeconds, peakRssMiB: peak, steps };
}

export default async function bench() {
  const mke2fs = findTool('mke2fs');
  const missing = ['mke2fs', 'sfdisk', 'qemu-img', 'dd', 'truncate'].filter((t) => !findTool(t));
  if (missing.length) {
    console.log(`reference chain incomplete (missing ${missing.join(', ')}): nothing to compare against`);
    return;
  }
  const tar = rootfsTar();
  if (!tar) {
    console.log('no rootfs tarball: set TSDIB_BENCH_ROOTFS=FILE.tar or run the end-to-end tests once (they cache a Debian rootfs)');
    return;
  }
  if (!existsSync(CLI)) {
    console.log('dist/ is missing: run npm run build first');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'tsdib-bench-assemble-'));
  try {
    readFileSync(tar); // warm the page cache for both
    const fromTar = mke2fsReadsTar(mke2fs);
    const ours = [];
    const theirs = [];
    for (let i = 0; i < REPEAT; i++) {
      ours.push(await runTsdib(tar, work));
      theirs.push(await runReference(tar, work, ours[ours.length - 1].plan, mke2fs, fromTar));
    }
    const t = ours.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const r = theirs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const check = spawnSync('qemu-img', ['check', join(work, 'tsdib.qcow2')], { encoding: 'utf8' });
    console.log(`input ${tar} (${(statSync(tar).size / 1048576).toFixed(0)} MiB); disk ${(t.plan.size / 1048576).toFixed(0)} MiB, mbr, ext4 root; best of ${REPEAT}`);
    console.log(`  tsdib assemble → qcow2   ${fmt(t.seconds, 's')}  CPU ${fmt(t.cpuSeconds, 's')}  peak RSS ${fmt(t.peakRssMiB, 'MiB')}  (qemu-img check exit ${check.status})`);
    console.log(`  reference chain          ${fmt(r.seconds, 's')}  CPU ${fmt(r.cpuSeconds, 's')}  peak RSS ${fmt(r.peakRssMiB, 'MiB')}${fromTar ? '' : ' (mke2fs < 1.47.1: reads the tarball extracted)'}`);
    for (const s of r.steps) console.log(`    ${s.label.padEnd(20)} ${fmt(s.seconds, 's')}  CPU ${fmt(s.cpuSeconds, 's')}  peak RSS ${fmt(s.peakRssMiB, 'MiB')}`);
    const cpu = t.cpuSeconds !== undefined && r.cpuSeconds !== undefined ? `; CPU ratio = ${(t.cpuSeconds / r.cpuSeconds).toFixed(2)}` : '';
    const extract = r.steps.find((s) => s.label === 'tar -xf');
    if (extract) console.log(`  without the extraction (as if mke2fs read the tarball): chain ${fmt(r.seconds - extract.seconds, 's')}, ratio ${(t.seconds / (r.seconds - extract.seconds)).toFixed(2)}`);
    console.log(`  time ratio tsdib/chain = ${(t.seconds / r.seconds).toFixed(2)} (target <= 0.5)${cpu}; RSS ratio = ${(t.peakRssMiB / r.peakRssMiB).toFixed(1)}; tsdib peak RSS ${fmt(t.peakRssMiB, 'MiB')} (target < 200 MiB)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
