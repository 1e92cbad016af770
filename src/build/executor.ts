/**
 * Chroot executors: how element scripts run without root (issue 7, reference/dib.md §12).
 *
 * - userns: util-linux `unshare` makes a user namespace in which the caller is uid 0. With subordinate
 *   ranges in /etc/subuid and /etc/subgid (`--map-auto`, via newuidmap/newgidmap) every in-image uid
 *   0..65535 maps to a real host id, so `chown` to any owner works and persists on disk; without them only
 *   uid 0 is mapped (chown to other users fails). A mount namespace gives the chroot its own /proc, a
 *   small /dev (bind-mounted nodes), /sys and the hooks at /tmp/in_target.d. Run as real root, the same
 *   thing happens without the user namespace.
 * - proot: ptrace-based fake root (Debian package `proot`); ownership changes are not kept. Run under a
 *   seccomp filter that hides the path calls proot 5.1 does not translate (PROOT_SECCOMP_LAUNCHER).
 * - none: no chroot at all; only outside phases may have scripts.
 *
 * Outside phases (root.d, extra-data.d, post-root.d, block-device.d, pre-finalise.d, cleanup.d) run as the
 * calling user, as in DIB, where they call `sudo` for privileged steps: here `sudo` is a shim on PATH that runs
 * the command as root of the build's namespace (sudoShim), so DIB's elements work unmodified and never reach
 * the real sudo. Files the calling user makes are root's inside the namespace (its uid maps to 0).
 * Packing and removing the build directory go through the same mapping (the host user could not delete
 * files owned by mapped ids otherwise).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failure, inputError } from '../errors.js';

export type ChrootMode = 'auto' | 'userns' | 'proot' | 'none';
export const CHROOT_MODES: readonly ChrootMode[] = ['auto', 'userns', 'proot', 'none'];

/** What the executor needs to know to run a chroot script. */
export interface ChrootMounts {
  /** The staging tree (the image's /). */
  readonly root: string;
  /** The merged hooks directory, shown read-write at /tmp/in_target.d. */
  readonly hooks: string;
}

export interface RunRequest {
  /** argv: the program and its arguments. */
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  /** Given: run chrooted into mounts.root (as namespace root); absent: run on the host as the calling user. */
  readonly chroot?: ChrootMounts;
  /** Every line of output (stdout and stderr merged, in order). */
  readonly onOutput?: (chunk: Buffer) => void;
  /** Bytes written to stdin. */
  readonly stdoutTo?: number;
}

export interface Executor {
  readonly mode: Exclude<ChrootMode, 'auto'>;
  /** One line for the build log: what kind of root the scripts get. */
  readonly description: string;
  /** Whether chroot phases can run. */
  readonly canChroot: boolean;
  /** Runs a command; resolves with its exit status (signals as 128+n). */
  run(request: RunRequest): Promise<number>;
  /** argv prefix that runs a host command as (mapped) root, for synchronous helpers like rm and tar. */
  readonly hostPrefix: readonly string[];
}

/** Environment switch for tests and locked-down hosts: TSDIB_NO_USERNS=1 treats user namespaces as unavailable. */
export const NO_USERNS_VAR = 'TSDIB_NO_USERNS';

function tryRun(argv: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20000 });
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The unshare prefix that works on this host, or why none does. */
export function probeUserns(env: NodeJS.ProcessEnv = process.env): { prefix: string[]; fullMap: boolean } | { reason: string } {
  if (env[NO_USERNS_VAR] === '1') return { reason: `${NO_USERNS_VAR}=1 is set` };
  const ns = ['--mount', '--pid', '--fork', '--kill-child'];
  if (isRoot()) {
    const r = tryRun(['unshare', ...ns, 'true']);
    return r.status === 0 ? { prefix: ['unshare', ...ns], fullMap: true } : { reason: `unshare as root failed: ${(r.stderr || String(r.error)).trim()}` };
  }
  const full = ['unshare', '--map-auto', '--map-root-user', ...ns];
  const r1 = tryRun([...full, 'true']);
  if (r1.status === 0) return { prefix: full, fullMap: true };
  const single = ['unshare', '--map-root-user', ...ns];
  const r2 = tryRun([...single, 'true']);
  if (r2.status === 0) return { prefix: single, fullMap: false };
  return { reason: (r2.stderr || r1.stderr || String(r2.error ?? r1.error)).trim().split('\n')[0] ?? 'unshare failed' };
}

export function haveProot(): boolean {
  const r = tryRun(['proot', '--version']);
  return r.status === 0;
}

/**
 * The shell run inside the namespace before a chroot script: mounts /proc, a tmpfs /dev with the usual
 * nodes bound from the host, /sys, the hooks, and the host's resolv.conf (so package managers resolve
 * names), then chroots. Positional: $1 root, $2 hooks, then the command. Mounts vanish with the namespace.
 */
export const CHROOT_SETUP = `set -e
R=$1; H=$2; shift 2
mkdir -p "$R/proc" "$R/dev" "$R/sys" "$R/tmp/in_target.d"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=755 tmpfs "$R/dev"
for n in null zero full random urandom tty; do
  if [ -e "/dev/$n" ]; then : > "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; fi
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts" 2>/dev/null && ln -sf pts/ptmx "$R/dev/ptmx" || true
ln -sf /proc/self/fd "$R/dev/fd"; ln -sf /proc/self/fd/0 "$R/dev/stdin"; ln -sf /proc/self/fd/1 "$R/dev/stdout"; ln -sf /proc/self/fd/2 "$R/dev/stderr"
mount --rbind /sys "$R/sys" 2>/dev/null || true
mount --bind "$H" "$R/tmp/in_target.d"
made_resolv=
if [ -e /etc/resolv.conf ] && [ -d "$R/etc" ] && [ ! -L "$R/etc/resolv.conf" ]; then
  [ -e "$R/etc/resolv.conf" ] || { : > "$R/etc/resolv.conf"; made_resolv=1; }
  mount --bind /etc/resolv.conf "$R/etc/resolv.conf" || true
fi
set +e
chroot "$R" "$@"
status=$?
if [ -n "$made_resolv" ]; then umount "$R/etc/resolv.conf" 2>/dev/null; rm -f "$R/etc/resolv.conf"; fi
exit $status
`;

/** Scripts running now, each the leader of its own process group (so it and its children can be stopped). */
const running = new Set<number>();

/** Stops every script still running (Ctrl-C, or a failure elsewhere): SIGKILL to each process group. */
export function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

function spawnAndWait(argv: readonly string[], request: RunRequest): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: request.env,
      cwd: request.cwd,
      stdio: ['ignore', request.stdoutTo ?? 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    child.on('exit', () => {
      if (pid !== undefined) running.delete(pid);
    });
    child.stdout?.on('data', (c: Buffer) => request.onOutput?.(c));
    child.stderr?.on('data', (c: Buffer) => request.onOutput?.(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (signal ? (({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }) as Record<string, number>)[signal] ?? 1 : 1));
    });
  });
}

class UsernsExecutor implements Executor {
  readonly mode = 'userns' as const;
  readonly canChroot = true;
  constructor(
    readonly hostPrefix: readonly string[],
    readonly description: string,
  ) {}
  run(request: RunRequest): Promise<number> {
    const argv = request.chroot
      ? [...this.hostPrefix, 'sh', '-c', CHROOT_SETUP, 'tsdib-chroot', request.chroot.root, request.chroot.hooks, ...request.argv]
      : request.argv;
    return spawnAndWait(argv, request);
  }
}

/**
 * proot (5.1 in Debian bookworm; still open in 5.4) aborts the whole session with `path.c: compare_paths2:
 * Assertion 'length2 > 0' failed` when a tracee makes a *at() call with an empty path naming the directory fd
 * itself (readlinkat(fd, "") and friends, Linux >= 2.6.39): proot translates "" to an empty guest path
 * (proot-me/proot issues #182, #366). systemd-tmpfiles does that for `L` lines (debian.conf's /run/shm ->
 * /dev/shm), and dh_installtmpfiles makes the post-install of systemd, udev and others run it, so a Debian
 * build under proot died in `apt-get install systemd`. The tracer aborts, not the script: the post-install's
 * `|| true` cannot help. So under proot a stand-in `systemd-tmpfiles` comes first on PATH; it does nothing,
 * and the image's systemd-tmpfiles-setup.service applies tmpfiles.d at every boot anyway (it is what
 * populates /run and /tmp). apt resets PATH for dpkg to its `DPkg::Path`, so an APT_CONFIG file puts the
 * stand-in's directory first there too. Both live in the hooks directory (seen at /tmp/in_target.d, removed
 * with the build directory): a proot bind to a path missing in the image would leave an empty placeholder
 * file in the image.
 * The other proot 5.1 gap, untranslated faccessat2 and statx, is closed by PROOT_SECCOMP_LAUNCHER below.
 */
export const PROOT_TMPFILES_SHIM = `#!/bin/sh
# tsdib --chroot proot: systemd-tmpfiles makes proot abort (an *at() call with an empty path); skipped here,
# systemd-tmpfiles-setup.service creates these entries when the image boots.
echo "tsdib (proot): skipped systemd-tmpfiles $*; it runs at boot (systemd-tmpfiles-setup.service)" >&2
exit 0
`;

/** The stand-ins' directory name inside the hooks directory. */
const PROOT_SHIM_DIR = '.tsdib-proot';
const IN_TARGET_HOOKS = '/tmp/in_target.d';
/** apt's own default DPkg::Path (apt-pkg init), with the stand-ins first. */
const prootAptConf = (shimDir: string) => `DPkg::Path "${shimDir}:/usr/sbin:/usr/bin:/sbin:/bin";\n`;

/** Writes the stand-ins into the hooks directory; returns the environment additions for a chroot script. */
export function prepareProotShims(hooks: string, env: Record<string, string>): Record<string, string> {
  const dir = join(hooks, PROOT_SHIM_DIR);
  if (!existsSync(join(dir, 'apt.conf'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'systemd-tmpfiles'), PROOT_TMPFILES_SHIM);
    chmodSync(join(dir, 'systemd-tmpfiles'), 0o755);
    writeFileSync(join(dir, 'apt.conf'), prootAptConf(`${IN_TARGET_HOOKS}/${PROOT_SHIM_DIR}`));
  }
  const inside = `${IN_TARGET_HOOKS}/${PROOT_SHIM_DIR}`;
  return {
    PATH: env['PATH'] ? `${inside}:${env['PATH']}` : inside,
    ...(env['APT_CONFIG'] === undefined ? { APT_CONFIG: `${inside}/apt.conf` } : {}),
  };
}

/**
 * proot 5.1 (Debian bookworm and trixie) predates four system calls that take a path, and lets them through
 * UNTRANSLATED, so the kernel looks at the HOST's path: statx (Linux 4.11), openat2 (5.6), faccessat2 (5.8) and
 * fchmodat2 (6.6). Measured with perl's `syscall` on a file only in the guest: these four answer ENOENT, while
 * faccessat, newfstatat, renameat2, name_to_handle_at, utimensat, fchownat, llistxattr see the guest's file.
 * glibc >= 2.33 calls faccessat2 for faccessat() with flags, which dash and bash use for `test -r/-w/-x`
 * (AT_EACCESS): openssh-server's post-install then failed in ucf (`[ ! -w /var/lib/ucf/hashfile ]` looked at the
 * host's file); coreutils' stat(1) calls statx and failed next ("cannot statx"). So proot runs under a seccomp
 * filter that makes these four fail with ENOSYS before proot sees them:
 * - seccomp filters stack and the kernel acts on the highest-precedence result of all of them
 *   (seccomp(2): KILL > TRAP > ERRNO > USER_NOTIF > TRACE > LOG > ALLOW), so our ERRNO wins over proot's own
 *   SECCOMP_RET_TRACE filter; without proot's filter (PROOT_NO_SECCOMP=1) ptrace sees the call first,
 *   passes it on, and seccomp then refuses it the same way. The filter is inherited across fork and exec, by
 *   proot and everything it runs.
 * - ENOSYS is what a kernel older than the call answers, and every caller must cope with it: glibc's faccessat()
 *   (sysdeps/unix/sysv/linux/faccessat.c) falls back to the old faccessat call, or to fstatat plus a mode check,
 *   and its statx() to fstatat (statx_generic), unless glibc was built for new kernels only, which Debian's
 *   is not (it supports 3.2); glibc >= 2.39's fchmodat() falls back the same way; openat2 has no glibc user
 *   and its callers (systemd) fall back to openat. The older calls are the ones proot translates.
 * The filter only applies to native calls (seccomp_data.arch checked): numbers differ in a 32-bit tracee.
 * perl installs it (perl-base is Essential in Debian, so every Debian/Ubuntu host has it) with only its builtin
 * `syscall`: prctl(PR_SET_NO_NEW_PRIVS) (required for an unprivileged filter; proot sets it too),
 * seccomp(SECCOMP_SET_MODE_FILTER), then exec of the command.
 * Arguments: the prctl and seccomp numbers, the BPF program in hex (enosysFilter), then the command.
 */
export const PROOT_SECCOMP_LAUNCHER = `use strict;
my ($prctl, $seccomp, $hex) = splice @ARGV, 0, 3;
my $code = pack 'H*', $hex;
# struct sock_fprog { u16 len; pointer filter } on an LP64 kernel: 6 bytes of padding before the pointer.
my $fprog = pack 'S x6 P', length($code) / 8, $code;
syscall(0 + $prctl, 38, 1, 0, 0, 0) == 0 or die "tsdib: prctl(PR_SET_NO_NEW_PRIVS): $!\\n";
syscall(0 + $seccomp, 1, 0, $fprog) == 0 or die "tsdib: seccomp(SECCOMP_SET_MODE_FILTER): $!\\n";
exec { $ARGV[0] } @ARGV or die "tsdib: exec $ARGV[0]: $!\\n";
`;

/** What tsdib needs per host architecture (Node.js process.arch); only LP64 little-endian ones (see above). */
export interface SeccompArch {
  /** AUDIT_ARCH_* of include/uapi/linux/audit.h: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
  readonly auditArch: number;
  readonly prctl: number;
  readonly seccomp: number;
  /** The path calls proot 5.1 leaves untranslated, by number. */
  readonly refused: Readonly<Record<string, number>>;
}

/** openat2, faccessat2 and fchmodat2 have one number on every arch (calls added since Linux 5.1 share one, from 424 on). */
const SHARED_REFUSED = { openat2: 437, faccessat2: 439, fchmodat2: 452 };

export const SECCOMP_ARCHES: Readonly<Record<string, SeccompArch>> = {
  // arch/x86/entry/syscalls/syscall_64.tbl
  x64: { auditArch: 0xc000003e, prctl: 157, seccomp: 317, refused: { statx: 332, ...SHARED_REFUSED } },
  // include/uapi/asm-generic/unistd.h
  arm64: { auditArch: 0xc00000b7, prctl: 167, seccomp: 277, refused: { statx: 291, ...SHARED_REFUSED } },
};

// Classic BPF (include/uapi/linux/filter.h, bpf_common.h) over struct seccomp_data (include/uapi/linux/seccomp.h).
const BPF_LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset k of seccomp_data
const BPF_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K: if A == k skip jt instructions, else jf
const BPF_RET_K = 0x06; // BPF_RET | BPF_K: return k
const SECCOMP_DATA_NR = 0; // int nr
const SECCOMP_DATA_ARCH = 4; // __u32 arch
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000; // | errno in the low 16 bits
const ENOSYS = 38; // the same in asm-generic and x86
/** struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k }. */
const SOCK_FILTER_SIZE = 8;

/**
 * The filter: for calls of `auditArch` whose number is in `refused`, ENOSYS; everything else allowed. Encoded
 * little-endian, the byte order of both supported arches (the kernel reads it in native order).
 */
export function enosysFilter(auditArch: number, refused: readonly number[]): Uint8Array {
  const n = refused.length;
  const allow = 3 + n; // index of the ALLOW return; ENOSYS follows it
  const program: [number, number, number, number][] = [
    [BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH],
    [BPF_JEQ_K, 0, allow - 2, auditArch], // another arch: allow
    [BPF_LD_W_ABS, 0, 0, SECCOMP_DATA_NR],
    ...refused.map((nr, i): [number, number, number, number] => [BPF_JEQ_K, allow + 1 - (3 + i + 1), 0, nr]),
    [BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW],
    [BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | ENOSYS],
  ];
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach(([code, jt, jf, k], i) => {
    view.setUint16(i * SOCK_FILTER_SIZE, code, true);
    view.setUint8(i * SOCK_FILTER_SIZE + 2, jt);
    view.setUint8(i * SOCK_FILTER_SIZE + 3, jf);
    view.setUint32(i * SOCK_FILTER_SIZE + 4, k >>> 0, true);
  });
  return bytes;
}

/** What runs proot: an argv prefix (the filter, or nothing), and why there is no filter when there is none. */
export interface ProotLauncher {
  readonly prefix: readonly string[];
  readonly warning?: string;
}

const NO_FILTER_EFFECT = "scripts' access tests (test -r/-w/-x) and stat(1) may see host paths instead of the image's (proot 5.1 does not translate faccessat2 and statx)";

/** The launcher for this arch and perl (an absolute path, or undefined when there is no perl). Pure. */
export function prootLauncher(arch: string, perl: string | undefined): ProotLauncher {
  const a = SECCOMP_ARCHES[arch];
  if (!a) return { prefix: [], warning: `no seccomp filter for proot on ${arch} (tsdib knows x64 and arm64): ${NO_FILTER_EFFECT}` };
  if (!perl) return { prefix: [], warning: `perl not found, so proot runs without its seccomp filter: ${NO_FILTER_EFFECT}` };
  const hex = Buffer.from(enosysFilter(a.auditArch, Object.values(a.refused))).toString('hex');
  return { prefix: [perl, '-e', PROOT_SECCOMP_LAUNCHER, '--', String(a.prctl), String(a.seccomp), hex] };
}

/**
 * Finds perl (its absolute path, from `$^X`, so the sudo shim works whatever PATH scripts set) and checks that
 * the filter installs here (a kernel without seccomp, or a container that forbids it, says why).
 */
export function probeProotLauncher(arch: string = process.arch): ProotLauncher {
  const which = tryRun(['perl', '-e', 'print $^X']);
  const perl = which.status === 0 && which.stdout.startsWith('/') ? which.stdout : undefined;
  const launcher = prootLauncher(arch, perl);
  if (launcher.prefix.length === 0) return launcher;
  const check = tryRun([...launcher.prefix, 'true']);
  if (check.status === 0) return launcher;
  const why = (check.stderr || String(check.error ?? `exit ${check.status}`)).trim().split('\n')[0];
  return { prefix: [], warning: `proot's seccomp filter cannot be installed (${why}): ${NO_FILTER_EFFECT}` };
}

/** proot's argv for a chroot script, after the launcher (the seccomp filter): fake root, the image as /, host /proc /dev /sys, hooks, resolv.conf. */
export function prootArgv(mounts: ChrootMounts, argv: readonly string[], launcher: readonly string[] = []): string[] {
  return [
    ...launcher,
    'proot', '-0', '-r', mounts.root,
    '-b', '/proc', '-b', '/dev', '-b', '/sys',
    '-b', `${mounts.hooks}:${IN_TARGET_HOOKS}`,
    '-b', '/etc/resolv.conf',
    '-w', '/', ...argv,
  ];
}

class ProotExecutor implements Executor {
  readonly mode = 'proot' as const;
  readonly canChroot = true;
  readonly hostPrefix: readonly string[];
  readonly description: string;
  constructor(private readonly launcher: ProotLauncher) {
    this.hostPrefix = [...launcher.prefix, 'proot', '-0'];
    const base = 'proot (ptrace fake root; ownership changes are not kept, every file is packed as root)';
    // The build prints the description once, to its log and to stderr: that is where the warning belongs.
    this.description = launcher.warning ? `${base}; WARNING: ${launcher.warning}` : base;
  }
  run(request: RunRequest): Promise<number> {
    if (!request.chroot) return spawnAndWait(request.argv, request);
    const env = { ...request.env, ...prepareProotShims(request.chroot.hooks, request.env) };
    return spawnAndWait(prootArgv(request.chroot, request.argv, this.launcher.prefix), { ...request, env });
  }
}

class NoChrootExecutor implements Executor {
  readonly mode = 'none' as const;
  readonly canChroot = false;
  readonly hostPrefix: readonly string[] = [];
  readonly description = 'none (scripts run as the calling user; no chroot phases; files are packed as root)';
  run(request: RunRequest): Promise<number> {
    if (request.chroot) return Promise.reject(new Error('internal: chroot script with --chroot none'));
    return spawnAndWait(request.argv, request);
  }
}

const ENABLE_HINT =
  'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces>0, and kernel.apparmor_restrict_unprivileged_userns=0), give your user ranges in /etc/subuid and /etc/subgid (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER), or install proot (apt-get install proot); --chroot none builds images whose elements have no chroot-phase scripts';

/** Picks the executor for --chroot; `auto` prefers userns, then proot, then none. */
export function selectExecutor(mode: ChrootMode, env: NodeJS.ProcessEnv = process.env): Executor {
  if (!CHROOT_MODES.includes(mode)) throw inputError(`--chroot ${String(mode)}: unknown mode`, `use one of ${CHROOT_MODES.join(', ')}`);
  if (mode === 'none') return new NoChrootExecutor();
  if (mode === 'userns' || mode === 'auto') {
    const probe = probeUserns(env);
    if ('prefix' in probe) {
      const what = isRoot()
        ? 'mount namespace as real root'
        : probe.fullMap
          ? 'user namespace with subordinate ids (chown to any uid works)'
          : 'user namespace mapping only your uid to root (no /etc/subuid range: chown to other uids fails)';
      return new UsernsExecutor(probe.prefix, `userns: ${what}`);
    }
    if (mode === 'userns') throw failure(`--chroot userns: user namespaces are not available (${probe.reason})`, ENABLE_HINT);
  }
  if (haveProot()) return new ProotExecutor(probeProotLauncher());
  if (mode === 'proot') throw failure('--chroot proot: proot is not installed', 'apt-get install proot, or use --chroot userns');
  return new NoChrootExecutor();
}

/** The error for a build that has chroot-phase scripts but no way to run them. */
export function noChrootError(phase: string, scripts: readonly string[]) {
  return failure(`phase ${phase} has scripts that run inside the image (${scripts.join(', ')}) but no chroot is available`, ENABLE_HINT);
}

/**
 * The `sudo` that outside-phase scripts find first on PATH: it drops sudo's own options (-E, -H, -n, -u USER
 * ...) and runs the command as root of the build's namespace (userns), under proot's fake root, or as the
 * calling user when there is no namespace (none).
 */
export function sudoShim(executor: Pick<Executor, 'mode' | 'hostPrefix'>): string {
  const prefix = executor.mode === 'none' ? '' : `${executor.hostPrefix.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} `;
  return `#!/bin/sh
# tsdib: DIB elements call sudo in outside phases; this runs the command as root of the build's namespace.
while [ $# -gt 0 ]; do
  case "$1" in
    -u|-g|-C|-D|-h|-p|-r|-t|-U|-T) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec ${prefix}"$@"
`;
}
