/**
 * `tsdib build` as a library function: DIB's disk-image-create without root.
 *
 *   elements expanded → hooks merged into <build>/hooks → phases run in DIB's order (outside phases on the
 *   host, chroot phases inside the staging tree through the Executor), environment.d sourced before each
 *   script, package-installs applied by the image's package manager at the start of pre-install.d,
 *   install.d and post-install.d → the staging tree packed as a tarball *inside* the namespace (so owners
 *   are the in-image ids) → readRootfs → assemble() → outputs. The build directory is removed on success,
 *   failure and Ctrl-C (inside the namespace: it holds files owned by mapped ids).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { assemble, type AssembleResult, type OutputType } from '../assemble/index.js';
import { failure } from '../errors.js';
import type { CpioCompression } from '../fs/cpio/index.js';
import { layoutFromEnv, parseLayout, presetLayout, type Layout } from '../layout/index.js';
import type { Progress } from '../progress.js';
import { readRootfs } from '../tar/index.js';
import {
  elementsSearchPath,
  packageActions,
  PACKAGE_PHASES,
  phaseEnvironment,
  planElements,
  PHASES,
  type BuildContext,
  type ElementsPlan,
  type HookScript,
  type PackagePhase,
  type PhasePlan,
} from '../elements/index.js';
import { killRunning, noChrootError, selectExecutor, sudoShim, type ChrootMode, type Executor } from './executor.js';

export interface BuildOptions {
  readonly elements: readonly string[];
  /** -o NAME: outputs are NAME.<type>. */
  readonly name: string;
  readonly types: readonly OutputType[];
  /** -a (DIB name: amd64, arm64 ...). */
  readonly arch?: string | undefined;
  /** -x count: DIB_DEBUG_TRACE, and the runner traces environment.d sourcing. */
  readonly debugTrace?: number | undefined;
  /** -n: do not add `base`. */
  readonly skipBase?: boolean | undefined;
  /** -p: extra packages installed in install.d. */
  readonly packages?: readonly string[] | undefined;
  readonly imageSize?: number | undefined;
  readonly extraSize?: number | undefined;
  readonly fsType?: string | undefined;
  readonly rootLabel?: string | undefined;
  readonly mkfsOptions?: string | undefined;
  readonly checksum?: boolean | undefined;
  readonly compress?: boolean | undefined;
  /** --ramdisk-compression / --ramdisk-level (-t ramdisk), as assemble takes them. */
  readonly ramdiskCompression?: CpioCompression | undefined;
  readonly ramdiskLevel?: number | undefined;
  readonly formatOptions?: Record<string, string> | undefined;
  readonly force?: boolean | undefined;
  readonly installType?: string | undefined;
  readonly elementsPath?: string | undefined;
  readonly chroot?: ChrootMode | undefined;
  /** The user's environment (DIB_* pass through; ELEMENTS_PATH, DIB_BLOCK_DEVICE_CONFIG read). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly seed: string;
  readonly epoch: number;
  /** Where the build directory goes (DIB's TMP_DIR) [default: $TMPDIR]. */
  readonly tmpDir?: string | undefined;
  /** Every line worth keeping: the plan, each script's start and output. */
  readonly log?: ((text: string) => void) | undefined;
  /** Short status lines (phase and script names) for the terminal. */
  readonly status?: ((line: string) => void) | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  readonly progress?: ((label: string) => Progress) | undefined;
  /** Called with a function that removes the build directory now (the CLI calls it on Ctrl-C). */
  readonly onCleanup?: ((cleanup: (() => void) | undefined) => void) | undefined;
}

export interface BuildResult {
  readonly elements: readonly string[];
  readonly executor: string;
  readonly scriptsRun: number;
  readonly assemble: AssembleResult;
}

const HOST_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386', arm: 'armhf', ppc64: 'ppc64el', s390x: 's390x' };

/** DIB's default ARCH: the host's, in Debian's names. */
export function defaultArch(): string {
  return HOST_ARCH[process.arch] ?? process.arch;
}

const TAIL_BYTES = 4000;
const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * What runs each script: sources the environment.d files (in order, in one shell), then execs the script,
 * as DIB's dib-run-parts does. $1 is the script, the rest are the files to source.
 */
const RUNNER = `s=$1; shift
for f in "$@"; do . "$f" || { echo "tsdib: sourcing $f failed" >&2; exit 1; }; done
exec "$s"`;

class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  push(c: Buffer): void {
    this.chunks.push(c);
    this.size += c.length;
    while (this.size - (this.chunks[0]?.length ?? 0) > TAIL_BYTES && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks).toString('utf8');
    return all.length > TAIL_BYTES ? all.slice(-TAIL_BYTES) : all;
  }
}

/** The layout: DIB_BLOCK_DEVICE_CONFIG, else the last element's block-device-default.yaml, else mbr. */
export function buildLayout(plan: ElementsPlan, env: NodeJS.ProcessEnv): Layout {
  const fromEnv = layoutFromEnv(env);
  if (fromEnv) return fromEnv;
  const withDefault = plan.expansion.elements.filter((e) => existsSync(join(e.path, 'block-device-default.yaml')));
  const last = withDefault[withDefault.length - 1];
  if (last) {
    const file = join(last.path, 'block-device-default.yaml');
    return parseLayout(readFileSync(file, 'utf8'), file);
  }
  return presetLayout('mbr');
}

/** Copies every element's hook directories into one (DIB's generate_hooks); duplicates were refused by the plan. */
function mergeHooks(plan: ElementsPlan, hooksDir: string): void {
  mkdirSync(hooksDir, { recursive: true });
  for (const copy of plan.hooks.copies) {
    if (copy.kind === 'other') continue;
    cpSync(copy.source, join(hooksDir, copy.target), { recursive: true, dereference: true, preserveTimestamps: true });
  }
}

/**
 * The variables the elements' environment.d files set (DISTRO_NAME, DIB_RELEASE ...), read once on the host
 * by sourcing them in order: pkg-map needs the distribution before any chroot exists.
 */
export function sourcedVariables(files: readonly string[], env: Record<string, string>): Record<string, string> {
  const script = 'for f in "$@"; do . "$f" >/dev/null 2>&1 || true; done; env -0';
  const r = spawnSync('bash', ['-c', script, 'tsdib-env', ...files], { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const out: Record<string, string> = {};
  if (r.status !== 0) return out;
  for (const pair of r.stdout.split('\0')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * DIB_ARGS (the command line, as DIB records it) and DIB_ENV (the DIB_* variables, `export` style), which
 * DIB's manifests element writes into the image; its scripts run with `set -u`, so they must exist.
 */
export function dibRecordVariables(options: Pick<BuildOptions, 'elements' | 'name' | 'types'>, env: NodeJS.ProcessEnv): Record<string, string> {
  const dibEnv = Object.keys(env)
    .filter((k) => k.startsWith('DIB_'))
    .sort()
    .map((k) => `declare -x ${k}=${JSON.stringify(env[k])}`)
    .join('\n');
  return { DIB_ARGS: `-o ${options.name} -t ${options.types.join(',')} ${options.elements.join(' ')}`, DIB_ENV: dibEnv };
}

function targetDistro(env: Record<string, string>): { distro: string; release?: string } {
  const distro = env['DISTRO_NAME'] ?? 'debian';
  const release = env['DIB_RELEASE'];
  return release ? { distro, release } : { distro };
}

/** The package-manager command for one phase's lists (Debian family: apt-get; others: DIB's names). */
function packageCommand(install: readonly string[], uninstall: readonly string[]): string {
  const lines = ['set -eu', 'export DEBIAN_FRONTEND=noninteractive'];
  // apt drops to the _apt user to download; with only one uid mapped that user does not exist.
  const apt = 'apt-get -y -o APT::Sandbox::User=root';
  lines.push('if command -v apt-get >/dev/null; then');
  lines.push(`  ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || ${apt} update`);
  if (install.length > 0) lines.push(`  ${apt} -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install --no-install-recommends ${install.map(shellQuote).join(' ')}`);
  if (uninstall.length > 0) lines.push(`  ${apt} purge ${uninstall.map(shellQuote).join(' ')}`);
  lines.push('elif command -v dnf >/dev/null; then');
  if (install.length > 0) lines.push(`  dnf -y install ${install.map(shellQuote).join(' ')}`);
  if (uninstall.length > 0) lines.push(`  dnf -y remove ${uninstall.map(shellQuote).join(' ')}`);
  lines.push('else echo "tsdib: no package manager (apt-get, dnf) in the image" >&2; exit 1; fi');
  return lines.join('\n');
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_.+:=@%/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs the whole build. Throws TsdibError naming the element, phase and script that failed. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const status = options.status ?? (() => {});
  const arch = options.arch ?? defaultArch();
  const plan = planElements({ names: options.elements, elementsPath: options.elementsPath, env, skipBase: Boolean(options.skipBase), arch });
  const names = plan.expansion.elements.map((e) => e.name);
  status(`elements: ${names.join(' ')}`);
  log(`Expanded element list: ${names.join(' ')}\n`);
  for (const note of plan.expansion.notes) log(`note: ${note}\n`);
  for (const i of plan.hooks.ignored) log(`not run: ${i.element}/${i.dir}/${i.name}: ${i.reason}\n`);

  const packages = plan.packages;
  const extraPackages = options.packages ?? [];

  const executor = selectExecutor(options.chroot ?? 'auto', env);
  log(`chroot: ${executor.description}\n`);
  status(`chroot: ${executor.description}`);
  if (!executor.canChroot) {
    for (const p of plan.hooks.phases) {
      if (p.where === 'chroot' && p.scripts.length > 0) throw noChrootError(p.phase, p.scripts.map((s) => `${s.element}/${s.dir}/${s.name}`));
      if (PACKAGE_PHASES.includes(p.phase as PackagePhase) && packages[p.phase as PackagePhase]) {
        throw noChrootError(p.phase, ['package-installs']);
      }
    }
    if (extraPackages.length > 0) throw noChrootError('install.d', [`-p ${extraPackages.join(',')}`]);
  }

  const buildDir = mkdtempSync(join(options.tmpDir ?? env['TMP_DIR'] ?? tmpdir(), 'tsdib-build-'));
  const cleanup = () => {
    killRunning();
    removeBuildDir(executor, buildDir);
  };
  options.onCleanup?.(cleanup);
  try {
    const hooksDir = join(buildDir, 'hooks');
    const mountDir = join(buildDir, 'mnt');
    const imageDir = join(buildDir, 'image');
    mkdirSync(mountDir);
    mkdirSync(imageDir);
    mergeHooks(plan, hooksDir);
    const shimDir = join(buildDir, 'sudo-shim');
    mkdirSync(shimDir);
    writeFileSync(join(shimDir, 'sudo'), sudoShim(executor), { mode: 0o755 });
    const ctx: BuildContext = {
      arch,
      imageName: options.name,
      expansion: plan.expansion,
      searchPath: elementsSearchPath(options.elementsPath, env),
      buildDir,
      imageDir,
      hooksDir,
      mountDir,
      installType: options.installType,
      debugTrace: options.debugTrace,
      userEnv: env,
    };
    const preInstall = PHASES.find((p) => p.dir === 'pre-install.d')!;
    const sourced = sourcedVariables(
      plan.hooks.environment.map((f) => join(hooksDir, f.dir, f.name)),
      { PATH: env['PATH'] ?? CHROOT_PATH, ...phaseEnvironment(preInstall, ctx) },
    );
    const distro = targetDistro(sourced);
    log(`package target: ${distro.distro}${distro.release ? ` ${distro.release}` : ''}\n`);
    let scriptsRun = 0;
    const runner = new PhaseRunner(executor, plan, ctx, options, log, status);
    for (const phase of plan.hooks.phases) {
      const definition = PHASES.find((p) => p.dir === phase.phase)!;
      // TSDIB_CHROOT tells elements which executor runs them (debian-minimal picks mmdebstrap's mode by it).
      const phaseEnv = { ...phaseEnvironment(definition, ctx), ...dibRecordVariables(options, env), TSDIB_CHROOT: executor.mode };
      if (PACKAGE_PHASES.includes(phase.phase as PackagePhase)) {
        const actions = packageActions(packages, phase.phase as PackagePhase, plan.pkgMaps, distro);
        if (actions.install.length > 0 || actions.uninstall.length > 0) await runner.installPackages(phase, phaseEnv, actions.install, actions.uninstall);
      }
      for (const script of phase.scripts) {
        await runner.runScript(phase, script, phaseEnv);
        scriptsRun++;
      }
      // DIB's -p: install-packages in the chroot right after install.d (dib.md §4.1).
      if (phase.phase === 'install.d' && extraPackages.length > 0) await runner.installPackages(phase, phaseEnv, extraPackages, []);
    }

    status('packing the staging tree');
    const tree = await packStaging(executor, mountDir, buildDir, options.epoch);
    const layout = buildLayout(plan, env);
    const bootloader = names.includes('bootloader') ? 'auto' : 'none';
    const result = await assemble(tree.tree, {
      layout,
      name: options.name,
      types: options.types,
      root: { fsType: options.fsType, label: options.rootLabel, opts: options.mkfsOptions },
      imageSize: options.imageSize,
      extraSize: options.extraSize,
      seed: options.seed,
      epoch: options.epoch,
      checksum: Boolean(options.checksum),
      compress: Boolean(options.compress),
      ramdiskCompression: options.ramdiskCompression,
      ramdiskLevel: options.ramdiskLevel,
      formatOptions: options.formatOptions,
      force: Boolean(options.force),
      bootloader,
      onWarning: options.onWarning,
      progress: options.progress,
    });
    tree.cleanup();
    return { elements: names, executor: executor.description, scriptsRun, assemble: result };
  } finally {
    cleanup();
    options.onCleanup?.(undefined);
  }
}

class PhaseRunner {
  constructor(
    private readonly executor: Executor,
    private readonly plan: ElementsPlan,
    private readonly ctx: BuildContext,
    private readonly options: BuildOptions,
    private readonly log: (text: string) => void,
    private readonly status: (line: string) => void,
  ) {}

  private inside(phase: PhasePlan): boolean {
    return phase.where === 'chroot';
  }

  /** The shell that sources and runs: bash where it exists (environment.d files are bash), else sh. */
  private shell(phase: PhasePlan): string {
    if (!this.inside(phase)) return 'bash';
    const root = this.ctx.mountDir;
    return ['usr/bin/bash', 'bin/bash'].some((p) => existsSync(join(root, p))) ? '/bin/bash' : '/bin/sh';
  }

  private environment(phase: PhasePlan, phaseEnv: Record<string, string>): Record<string, string> {
    const hostPath = this.options.env?.['PATH'] ?? process.env['PATH'] ?? CHROOT_PATH;
    const hooksBin = this.inside(phase) ? '/tmp/in_target.d/bin' : join(this.ctx.hooksDir, 'bin');
    const base: Record<string, string> = this.inside(phase) ? { TERM: 'dumb' } : { HOME: process.env['HOME'] ?? '/', TMPDIR: process.env['TMPDIR'] ?? '/tmp' };
    const path = this.inside(phase) ? CHROOT_PATH : `${join(this.ctx.buildDir, 'sudo-shim')}:${hostPath}`;
    return { ...base, ...phaseEnv, PATH: `${path}:${hooksBin}` };
  }

  private envFiles(phase: PhasePlan): string[] {
    return this.plan.hooks.environment.map((f) => (this.inside(phase) ? f.inTargetPath : join(this.ctx.hooksDir, f.dir, f.name)));
  }

  private async exec(phase: PhasePlan, label: string, argv: string[], env: Record<string, string>): Promise<{ status: number; tail: string }> {
    const tail = new OutputTail();
    this.log(`==> ${label}\n`);
    const status = await this.executor.run({
      argv,
      env,
      ...(this.inside(phase) ? { chroot: { root: this.ctx.mountDir, hooks: this.ctx.hooksDir } } : {}),
      onOutput: (c) => {
        tail.push(c);
        this.log(c.toString('utf8'));
      },
    });
    return { status, tail: tail.text() };
  }

  async runScript(phase: PhasePlan, script: HookScript, phaseEnv: Record<string, string>): Promise<void> {
    const path = this.inside(phase) ? script.inTargetPath : join(this.ctx.hooksDir, script.dir, script.name);
    const trace = (this.options.debugTrace ?? 0) > 0 ? ['-x'] : [];
    const label = `${phase.phase} ${script.element}/${script.name}`;
    this.status(label);
    const argv = [this.shell(phase), ...trace, '-c', RUNNER, 'tsdib-run', path, ...this.envFiles(phase)];
    const r = await this.exec(phase, label, argv, this.environment(phase, phaseEnv));
    if (r.status !== 0) {
      throw failure(
        `element ${script.element}: script ${script.dir}/${script.name} failed in phase ${phase.phase} (exit ${r.status})${r.tail ? `; its output ended with:\n${r.tail.trimEnd()}\n` : ''}`,
        'fix the script or the element; the whole output is in the build log',
      );
    }
  }

  async installPackages(phase: PhasePlan, phaseEnv: Record<string, string>, install: readonly string[], uninstall: readonly string[]): Promise<void> {
    const label = `${phase.phase} package-installs: ${[...install.map((p) => `+${p}`), ...uninstall.map((p) => `-${p}`)].join(' ')}`;
    this.status(label);
    const insidePhase: PhasePlan = { ...phase, where: 'chroot' };
    const r = await this.exec(insidePhase, label, ['/bin/sh', '-c', packageCommand(install, uninstall)], this.environment(insidePhase, phaseEnv));
    if (r.status !== 0) {
      throw failure(`package-installs failed in phase ${phase.phase} (exit ${r.status}) installing ${install.join(' ') || '-'}${r.tail ? `; its output ended with:\n${r.tail.trimEnd()}\n` : ''}`, 'check the package names (pkg-map) and the image\'s apt sources');
    }
  }
}

/**
 * The staging tree → FileTree, through GNU tar. Under a user namespace tar runs inside it, so owners, modes,
 * setuid bits, device nodes, hard links, xattrs and ACLs come out as the scripts left them, in in-image ids.
 * Without one (none, proot) every file is packed as root's. Either way mtimes after SOURCE_DATE_EPOCH are
 * clamped to it and atime/ctime are dropped, so the same elements give the same image.
 */
export function packArgs(executor: Pick<Executor, 'mode'>, mountDir: string, tarPath: string, epoch: number): string[] {
  const owners = executor.mode === 'userns' ? [] : ['--owner=0', '--group=0'];
  return [
    'tar',
    '--numeric-owner',
    ...owners,
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--sparse',
    '--sort=name',
    `--mtime=@${epoch}`,
    '--clamp-mtime',
    '--pax-option=delete=atime,delete=ctime',
    '-C',
    mountDir,
    '-cf',
    tarPath,
    '.',
  ];
}

async function packStaging(executor: Executor, mountDir: string, buildDir: string, epoch: number) {
  rmSync(join(mountDir, 'tmp', 'in_target.d'), { recursive: true, force: true });
  const tarPath = join(buildDir, 'rootfs.tar');
  const argv = [...(executor.mode === 'userns' ? executor.hostPrefix : []), ...packArgs(executor, mountDir, tarPath, epoch)];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw failure(`packing the staging tree with tar failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join('; ')}`, 'GNU tar must be installed on the host');
  return readRootfs([tarPath], { tmpDir: buildDir, defaultTime: { sec: epoch, nsec: 0 } });
}

/** Removes the build directory; under a namespace from inside it, since mapped owners are not ours. */
function removeBuildDir(executor: Executor, buildDir: string): void {
  if (!existsSync(buildDir)) return;
  if (executor.mode === 'userns' && executor.hostPrefix.length > 0) {
    spawnSync(executor.hostPrefix[0]!, [...executor.hostPrefix.slice(1), 'rm', '-rf', buildDir], { stdio: 'ignore' });
  }
  rmSync(buildDir, { recursive: true, force: true });
}
