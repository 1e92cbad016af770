// ext4: `tsdib mkfs ext4` against `mke2fs -t ext4 -d` on the same directory trees, in one run: wall
// time and peak RSS (from /usr/bin/time) with their ratios. Trees: 100,000 small files in 100
// directories, and one 20,000-entry directory. Targets (issue 4): at most half of mke2fs's time,
// peak RSS under 200 MiB. Set TSDIB_BENCH_SCALE=0.1 for a quick run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const TIME = '/usr/bin/time';
const scale = Number(process.env.TSDIB_BENCH_SCALE ?? '1');

function findMke2fs() {
  for (const p of ['/usr/sbin/mke2fs', '/sbin/mke2fs', '/usr/bin/mke2fs']) if (existsSync(p)) return p;
  return undefined;
}

/** Runs a command; returns seconds and peak RSS in MiB (undefined without /usr/bin/time). */
function measure(cmd, args, env = {}) {
  const haveTime = existsSync(TIME);
  const argv = haveTime ? [TIME, '-f', 'RSS_KB=%M', cmd, ...args] : [cmd, ...args];
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /RSS_KB=(\d+)/.exec(r.stderr);
  return { seconds, rssMiB: m ? Number(m[1]) / 1024 : undefined, stdout: r.stdout };
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

/** mke2fs ≥ 1.47.1 reads tarballs with -d. */
function mke2fsReadsTar(mke2fs) {
  const r = spawnSync(mke2fs, ['-V'], { encoding: 'utf8' });
  const m = /mke2fs (\d+)\.(\d+)\.(\d+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) return false;
  const [a, b, c] = m.slice(1).map(Number);
  return a > 1 || (a === 1 && (b > 47 || (b === 47 && c >= 1)));
}

/** The cached Debian rootfs tarball of the end-to-end tests (test/helpers/debian.ts), if built. */
function debianTar() {
  if (process.env.TSDIB_BENCH_ROOTFS) return process.env.TSDIB_BENCH_ROOTFS;
  const dir = process.env.TSDIB_TEST_CACHE ?? join(tmpdir(), 'tsdib-test-cache');
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find((n) => /^debian-.*\.tar$/.test(n));
  return f ? join(dir, f) : undefined;
}

const fmt = (x, unit) => (x === undefined ? 'n/a' : `${x.toFixed(2)} ${unit}`);

export default async function bench() {
  const mke2fs = findMke2fs();
  if (!mke2fs) {
    console.log('mke2fs not found: nothing to compare against (install e2fsprogs)');
    return;
  }
  if (!existsSync(TIME)) console.log(`${TIME} not found: peak RSS not measured (install the "time" package)`);
  const work = mkdtempSync(join(tmpdir(), 'tsdib-bench-ext4-'));
  try {
    const cases = [
      { name: `${Math.round(100000 * scale)} small files`, make: (d) => smallFilesTree(d, Math.round(100000 * scale)) },
      { name: `one ${Math.round(20000 * scale)}-entry directory`, make: (d) => bigDirectory(d, Math.round(20000 * scale)) },
    ];
    const tar = debianTar();
    if (tar) {
      // Ours reads the tarball; mke2fs reads it extracted (and the tarball too where it can).
      cases.push({ name: `Debian rootfs ${tar}`, tar, make: (d) => spawnSync('tar', ['-xf', tar, '-C', d, '--exclude=./dev/*'], { stdio: 'ignore' }) });
    } else {
      console.log('no Debian rootfs tarball cached (run the e2e tests once, or set TSDIB_BENCH_ROOTFS=FILE.tar): that case is skipped');
    }
    for (const c of cases) {
      const src = join(work, 'src');
      rmSync(src, { recursive: true, force: true });
      mkdirSync(src);
      c.make(src);
      warm(src);
      const ours = join(work, 'ours.ext4');
      const theirs = join(work, 'mke2fs.ext4');
      rmSync(ours, { force: true });
      // Ours first, sized automatically; mke2fs then gets the same size.
      if (c.tar) readFileSync(c.tar);
      const t = measure(process.execPath, [CLI, 'mkfs', 'ext4', c.tar ?? src, '-o', ours, '--seed', 'bench', '--quiet', '--json'], { SOURCE_DATE_EPOCH: '1700000000' });
      const size = JSON.parse(t.stdout).size;
      const m = measure(mke2fs, ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', src, theirs, `${Math.floor(size / 1024)}k`], { E2FSPROGS_FAKE_TIME: '1700000000' });
      if (c.tar && mke2fsReadsTar(mke2fs)) {
        const mt = measure(mke2fs, ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', c.tar, theirs, `${Math.floor(size / 1024)}k`], { E2FSPROGS_FAKE_TIME: '1700000000' });
        console.log(`  mke2fs -d TARBALL ${fmt(mt.seconds, 's')}  peak RSS ${fmt(mt.rssMiB, 'MiB')}; ratio tsdib/mke2fs = ${(t.seconds / mt.seconds).toFixed(2)}`);
      }
      const fsck = spawnSync('e2fsck', ['-fn', ours], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
      console.log(`${c.name} (${(size / 1048576).toFixed(0)} MiB image; tsdib image e2fsck -fn exit ${fsck.status}):`);
      console.log(`  tsdib mkfs ext4  ${fmt(t.seconds, 's')}  peak RSS ${fmt(t.rssMiB, 'MiB')}`);
      console.log(`  mke2fs -d        ${fmt(m.seconds, 's')}  peak RSS ${fmt(m.rssMiB, 'MiB')}`);
      console.log(`  time ratio tsdib/mke2fs = ${(t.seconds / m.seconds).toFixed(2)} (target <= 0.5); RSS ratio = ${t.rssMiB && m.rssMiB ? (t.rssMiB / m.rssMiB).toFixed(1) : 'n/a'} (target: tsdib < 200 MiB)`);
      if (!c.tar) {
        // The same tree as a tarball, the form tsdib usually reads (mke2fs < 1.47.1 cannot).
        const tarball = join(work, 'tree.tar');
        spawnSync('tar', ['-cf', tarball, '-C', src, '.'], { stdio: 'ignore' });
        readFileSync(tarball);
        rmSync(ours, { force: true });
        const tt = measure(process.execPath, [CLI, 'mkfs', 'ext4', tarball, '-o', ours, '--seed', 'bench', '--quiet', '--json'], { SOURCE_DATE_EPOCH: '1700000000' });
        console.log(`  tsdib from a tarball of it ${fmt(tt.seconds, 's')}  peak RSS ${fmt(tt.rssMiB, 'MiB')} (ratio to mke2fs -d DIR = ${(tt.seconds / m.seconds).toFixed(2)})`);
        rmSync(tarball, { force: true });
      }
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
