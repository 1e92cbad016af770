// ext4: `tsdib mkfs ext4` against `mke2fs -t ext4 -d` on the same inputs, in one run, as issue 4 asks:
//  - a Debian rootfs (≈670 MiB, ≈16.7k entries: mmdebstrap --variant=minbase plus linux-image-amd64,
//    systemd-sysv, python3 and perl, built rootless once and cached): tsdib reads the tarball,
//    mke2fs -d the tree extracted from it;
//  - 100,000 small files in 100 directories; one directory of 20,000 entries (tsdib from the
//    directory and from a tarball of it, mke2fs -d from the directory).
// Each case runs TSDIB_BENCH_RUNS times (default 3), the two tools alternating, and the medians of
// wall time, CPU time (user + system) and peak RSS (GNU time's %M) are printed with their ratios.
// Targets: tsdib at most half of mke2fs's time, the 20k directory in under 2 s, peak RSS under
// 200 MiB. On a shared machine wall time follows the load: the CPU-time ratio is the steadier one.
// TSDIB_BENCH_SCALE=0.1 shrinks the generated trees; TSDIB_BENCH_ROOTFS=FILE.tar picks the rootfs;
// TSDIB_BENCH_NO_DEBIAN=1 skips it; TSDIB_BENCH_RUNS sets the runs per case.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/measure.mjs';

// TSDIB_BENCH_CLI: a build of the CLI elsewhere (so a rebuild of dist/ during a long run does not mix versions).
const CLI = process.env.TSDIB_BENCH_CLI ?? fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const scale = Number(process.env.TSDIB_BENCH_SCALE ?? '1');
const runs = Math.max(1, Number(process.env.TSDIB_BENCH_RUNS ?? '3'));
const SBIN_PATH = `${process.env.PATH}:/usr/sbin:/sbin`;

function findTool(name) {
  for (const dir of SBIN_PATH.split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function smallFilesTree(dir, files) {
  const perDir = 1000;
  for (let d = 0; d * perDir < files; d++) {
    mkdirSync(join(dir, `d${d}`), { recursive: true });
    for (let f = 0; f < perDir && d * perDir + f < files; f++) {
      writeFileSync(join(dir, `d${d}`, `file-${f}.txt`), Buffer.alloc(100 + ((f * 37) % 3000), 65 + (f % 26)));
    }
  }
}

function bigDirectory(dir, entries) {
  mkdirSync(join(dir, 'big'), { recursive: true });
  for (let i = 0; i < entries; i++) writeFileSync(join(dir, 'big', `entry-${i}`), `${i}\n`);
}

/** Reads every file once so neither tool pays for a cold page cache. */
function warm(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) warm(p);
    else if (e.isFile()) readFileSync(p);
  }
}

/**
 * The Debian rootfs of the benchmark, in the cache of test/helpers/debian.ts and under the same key
 * scheme (so a test asking for the same recipe finds it): built once by mmdebstrap --mode=unshare.
 */
const DEBIAN_RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['acl', 'passwd', 'libcap2-bin', 'linux-image-amd64', 'systemd-sysv', 'python3', 'perl'].sort(),
  customize: [
    'mkdir -p "$1/var/log/journal" && chroot "$1" setfacl -m g:adm:rx -m d:g:adm:rx /var/log/journal',
    'chroot "$1" setcap cap_setuid,cap_net_raw+ep /usr/bin/newgrp',
  ],
};

function debianTar() {
  if (process.env.TSDIB_BENCH_ROOTFS) return process.env.TSDIB_BENCH_ROOTFS;
  if (process.env.TSDIB_BENCH_NO_DEBIAN) return undefined;
  const cache = process.env.TSDIB_TEST_CACHE ?? join(tmpdir(), 'tsdib-test-cache');
  const { suite, variant, include, customize } = DEBIAN_RECIPE;
  const key = createHash('sha256').update(JSON.stringify({ suite, variant, include, customize })).digest('hex').slice(0, 16);
  const out = join(cache, `debian-${suite}-${variant}-${key}.tar`);
  if (existsSync(out)) return out;
  const mmdebstrap = findTool('mmdebstrap');
  if (!mmdebstrap) {
    console.log('mmdebstrap not installed and no cached Debian rootfs (or TSDIB_BENCH_ROOTFS=FILE.tar): that case is skipped');
    return undefined;
  }
  mkdirSync(cache, { recursive: true });
  const lock = `${out}.lock`;
  mkdirSync(lock); // fails loudly if another builder holds it
  try {
    console.log(`building the Debian rootfs once (mmdebstrap, a download and a few minutes) into ${out}`);
    const partial = join(cache, `partial-${key}.tar`);
    const args = ['--mode=unshare', `--variant=${variant}`, `--include=${include.join(',')}`, ...customize.map((h) => `--customize-hook=${h}`), suite, partial];
    const r = spawnSync(mmdebstrap, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      rmSync(partial, { force: true });
      console.log(`mmdebstrap failed (${r.status}): the Debian case is skipped`);
      return undefined;
    }
    renameSync(partial, out);
    return out;
  } finally {
    rmdirSync(lock);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f2 = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));

/** Runs `cmd` `runs` times (calling `before` first each time); medians of seconds, CPU seconds, MiB. */
function summarize(samples) {
  return {
    seconds: median(samples.map((s) => s.seconds)),
    cpu: samples.every((s) => s.cpuSeconds !== undefined) ? median(samples.map((s) => s.cpuSeconds)) : undefined,
    rss: median(samples.map((s) => s.peakRssMiB)),
    all: samples.map((s) => s.seconds.toFixed(2)).join(' '),
  };
}

async function run(cmd, args, env) {
  const r = await measure(cmd, args, { env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

function line(label, s) {
  return `  ${label.padEnd(26)} ${f2(s.seconds)} s (runs: ${s.all}), CPU ${f2(s.cpu)} s, peak RSS ${f2(s.rss)} MiB`;
}

export default async function bench() {
  const mke2fs = findTool('mke2fs');
  if (!mke2fs) {
    console.log('mke2fs not found: nothing to compare against (install e2fsprogs)');
    return;
  }
  if (!existsSync('/usr/bin/time')) console.log('/usr/bin/time not found: peak RSS sampled from /proc, CPU time not measured (install the "time" package)');
  const work = mkdtempSync(join(tmpdir(), 'tsdib-bench-ext4-'));
  const verdicts = [];
  try {
    const small = Math.round(100000 * scale);
    const big = Math.round(20000 * scale);
    const cases = [];
    const tar = debianTar();
    if (tar) {
      // As root, tar -x keeps owners, modes and (asked) xattrs and ACLs, so mke2fs copies the same
      // metadata; device nodes are left out (a container may refuse mknod).
      const extract = (d) => spawnSync('tar', ['-xf', tar, '-C', d, '--xattrs', '--xattrs-include=*', '--acls', '--exclude=./dev/*'], { stdio: 'ignore' });
      cases.push({ name: `Debian rootfs (${tar})`, tar, make: extract });
    }
    cases.push({ name: `${small} small files`, make: (d) => smallFilesTree(d, small), alsoTar: true });
    cases.push({ name: `one ${big}-entry directory`, make: (d) => bigDirectory(d, big), alsoTar: true, under2s: true });
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    for (const c of cases) {
      const src = join(work, 'src');
      rmSync(src, { recursive: true, force: true });
      mkdirSync(src);
      c.make(src);
      let tarball = c.tar;
      if (!tarball && c.alsoTar) {
        tarball = join(work, 'tree.tar');
        spawnSync('tar', ['-cf', tarball, '-C', src, '.'], { stdio: 'ignore' });
      }
      warm(src);
      if (tarball) readFileSync(tarball);
      const ours = join(work, 'ours.ext4');
      const theirs = join(work, 'mke2fs.ext4');
      const oursArgs = (input) => [CLI, 'mkfs', 'ext4', input, '-o', ours, '--seed', 'bench', '--quiet', '--json', '--force'];
      // Ours decides the size (the content plus 10%); mke2fs gets the same size.
      const probe = spawnSync(process.execPath, oursArgs(tarball ?? src), { encoding: 'utf8', env: { ...process.env, ...env } });
      if (probe.status !== 0) throw new Error(`tsdib mkfs failed: ${probe.stderr}`);
      const size = JSON.parse(probe.stdout).size;
      const fsck = spawnSync('e2fsck', ['-fn', ours], { encoding: 'utf8', env: { ...process.env, PATH: SBIN_PATH } });
      const mkeArgs = ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', src, theirs, `${Math.floor(size / 1024)}k`];
      const samples = { tar: [], dir: [], mke2fs: [] };
      // Each run starts with no output file, for both tools: replacing the previous run's image
      // would add its unlink (hundreds of ms for a rootfs) to whoever comes second.
      const fresh = () => {
        rmSync(ours, { force: true });
        rmSync(theirs, { force: true });
      };
      for (let i = 0; i < runs; i++) {
        fresh();
        samples.mke2fs.push(await run(mke2fs, mkeArgs, { E2FSPROGS_FAKE_TIME: '1700000000' }));
        if (tarball) {
          fresh();
          samples.tar.push(await run(process.execPath, oursArgs(tarball), env));
        }
        if (!c.tar) {
          fresh();
          samples.dir.push(await run(process.execPath, oursArgs(src), env));
        }
      }
      const m = summarize(samples.mke2fs);
      console.log(`${c.name}: ${(size / 1048576).toFixed(0)} MiB image, tsdib's passes e2fsck -fn: ${fsck.status === 0 ? 'yes' : `NO (exit ${fsck.status})`}; medians of ${runs}:`);
      console.log(line('mke2fs -d DIR', m));
      for (const [kind, label] of [['tar', 'tsdib mkfs ext4 TARBALL'], ['dir', 'tsdib mkfs ext4 DIR']]) {
        if (samples[kind].length === 0) continue;
        const t = summarize(samples[kind]);
        const ratio = t.seconds / m.seconds;
        const cpuRatio = t.cpu !== undefined && m.cpu ? t.cpu / m.cpu : undefined;
        console.log(line(label, t));
        console.log(`    ratio tsdib/mke2fs: time ${f2(ratio)} (target <= 0.5), CPU ${f2(cpuRatio)}; peak RSS ${f2(t.rss)} MiB (target < 200)`);
        verdicts.push(`${c.name}, ${label}: time ${ratio <= 0.5 ? 'met' : 'NOT met'} (${f2(ratio)}), RSS ${t.rss < 200 ? 'met' : 'NOT met'} (${f2(t.rss)} MiB)` + (c.under2s ? `, under 2 s ${t.seconds < 2 ? 'met' : 'NOT met'} (${f2(t.seconds)} s)` : ''));
      }
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
      if (!c.tar && tarball) rmSync(tarball, { force: true });
    }
    console.log('issue 4 targets:');
    for (const v of verdicts) console.log(`  ${v}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
