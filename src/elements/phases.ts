/**
 * DIB's build phases and the hook plan: which scripts run in each phase, in what order, from which element.
 * Semantics from reference/dib.md §1.2 (phases), §1.4 (hooks of all elements merged into one directory:
 * numeric order is global across elements and a name may appear only once), §1.5 (dib-run-parts).
 *
 * scanElementHooks() is the I/O edge (reads directory listings and exec bits); planHooks() is pure.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { isEnvironmentFileName, isRunnableScriptName, sortRunParts } from './run-parts.js';

/** Where a phase runs: on the host ("outside") or inside the image's root ("chroot"). */
export type PhaseLocation = 'outside' | 'chroot';

export interface PhaseDefinition {
  readonly dir: string;
  readonly where: PhaseLocation;
}

/** The phases in execution order (dib.md §1.2). */
export const PHASES: readonly PhaseDefinition[] = [
  { dir: 'root.d', where: 'outside' },
  { dir: 'extra-data.d', where: 'outside' },
  { dir: 'pre-install.d', where: 'chroot' },
  { dir: 'install.d', where: 'chroot' },
  { dir: 'post-install.d', where: 'chroot' },
  { dir: 'post-root.d', where: 'outside' },
  { dir: 'block-device.d', where: 'outside' },
  { dir: 'pre-finalise.d', where: 'outside' },
  { dir: 'finalise.d', where: 'chroot' },
  { dir: 'cleanup.d', where: 'outside' },
];

export const ENVIRONMENT_DIR = 'environment.d';

/** Where the merged hooks directory appears inside the image during chroot phases. */
export const IN_TARGET_HOOKS = '/tmp/in_target.d';

export interface ScannedEntry {
  readonly name: string;
  /** Symlinks are followed, as `find -xtype f` does; a dangling one is 'other'. */
  readonly kind: 'file' | 'directory' | 'other';
  readonly executable: boolean;
  /** For directories inside install.d (install-types: <prefix>-<type>-install/): their entries. */
  readonly children?: readonly ScannedEntry[];
}

/** An element's hook directories: dir name (root.d, environment.d, ...) → its entries. */
export interface ElementHooks {
  readonly element: string;
  readonly path: string;
  readonly dirs: ReadonlyMap<string, readonly ScannedEntry[]>;
}

export interface HookScript {
  readonly element: string;
  /** Directory in the element: a phase (root.d ...), environment.d, or install.d/<prefix>-<type>-install. */
  readonly dir: string;
  readonly name: string;
  /** Path on the host. */
  readonly path: string;
  /** Path inside the image during chroot phases (/tmp/in_target.d/<dir>/<name>). */
  readonly inTargetPath: string;
}

export interface IgnoredHook {
  readonly element: string;
  readonly dir: string;
  readonly name: string;
  readonly reason: string;
}

export interface PhasePlan {
  readonly phase: string;
  readonly where: PhaseLocation;
  readonly scripts: readonly HookScript[];
}

export interface HookPlan {
  /** environment.d files of every element, in the order they are sourced (before every phase). */
  readonly environment: readonly HookScript[];
  /** Every phase in order, including empty ones (DIB runs break points around them all). */
  readonly phases: readonly PhasePlan[];
  /** Files in hook directories that will not run, and why (DIB skips these without a word). */
  readonly ignored: readonly IgnoredHook[];
  /** Everything to copy into the merged hooks directory, duplicates already refused. */
  readonly copies: readonly HookCopy[];
}

const INSTALL_DIR = 'install.d';

/**
 * install-types (dib.md §1.9): an element may ship install.d/<prefix>-<type>-install/ directories; the one
 * whose type is DIB_INSTALLTYPE_<prefix, - as _> runs, else the one of DIB_DEFAULT_INSTALLTYPE (default
 * "source"). Its scripts join install.d's global order. DIB does this with symlinks in extra-data.d (the
 * install-types element); here it is part of the plan, for every build.
 */
export interface InstallTypeOptions {
  /** The variables DIB_INSTALLTYPE_* and DIB_DEFAULT_INSTALLTYPE. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const INSTALL_TYPE_VAR = 'DIB_INSTALLTYPE_';

/** The install-type directory names selected by the environment, as DIB's 99-enable-install-types picks them. */
export function selectedInstallTypeDirs(dirNames: readonly string[], env: Readonly<Record<string, string | undefined>>): Set<string> {
  const selected = new Set<string>();
  const specified = new Set<string>();
  for (const [key, type] of Object.entries(env)) {
    if (!key.startsWith(INSTALL_TYPE_VAR) || type === undefined) continue;
    const prefix = key.slice(INSTALL_TYPE_VAR.length).replace(/_/g, '-');
    specified.add(prefix);
    selected.add(`${prefix}-${type}-install`);
  }
  const suffix = `-${env['DIB_DEFAULT_INSTALLTYPE'] ?? 'source'}-install`;
  for (const d of dirNames) {
    if (d.endsWith(suffix) && d.length > suffix.length && !specified.has(d.slice(0, -suffix.length))) selected.add(d);
  }
  return new Set(dirNames.filter((d) => selected.has(d)));
}

/** Top-level directories DIB does not copy into the merged hooks directory (dib.md §1.4). */
const NOT_HOOKS = new Set(['tests', '__pycache__']);

function scanEntry(dir: string, name: string): ScannedEntry {
  try {
    const st = statSync(join(dir, name));
    if (st.isDirectory()) return { name, kind: 'directory', executable: false };
    if (!st.isFile()) return { name, kind: 'other', executable: false };
    return { name, kind: 'file', executable: (st.mode & 0o111) !== 0 };
  } catch {
    return { name, kind: 'other', executable: false };
  }
}

/**
 * Reads the hook directories of one element (the I/O edge): every top-level directory except tests and
 * __pycache__ (symlinks followed), as DIB's generate_hooks copies them all (static/, bin/, ... too).
 */
export function scanElementHooks(element: { name: string; path: string }): ElementHooks {
  const dirs = new Map<string, ScannedEntry[]>();
  for (const top of readdirSync(element.path).sort()) {
    if (NOT_HOOKS.has(top)) continue;
    const full = join(element.path, top);
    if (scanEntry(element.path, top).kind !== 'directory') continue;
    dirs.set(
      top,
      readdirSync(full)
        .sort()
        .map((n) => {
          const entry = scanEntry(full, n);
          if (top !== INSTALL_DIR || entry.kind !== 'directory') return entry;
          const sub = join(full, n);
          return { ...entry, children: readdirSync(sub).sort().map((c) => scanEntry(sub, c)) };
        }),
    );
  }
  return { element: element.name, path: element.path, dirs };
}

/** One entry of one element copied into the merged hooks directory (DIB's copy_hooks_not_overwrite). */
export interface HookCopy {
  readonly element: string;
  readonly source: string;
  /** Relative to the merged hooks directory: <dir>/<name>. */
  readonly target: string;
  /** Directories of the same name from several elements merge; files may not collide. */
  readonly kind: 'file' | 'directory' | 'other';
}

/**
 * What goes into the merged hooks directory (/tmp/in_target.d inside the image), in element order. A file
 * name that two elements put in the same top-level directory is refused, whatever the directory: DIB's
 * "There is a duplicated hook in your elements: <element>/<dir>/<name>". Same-named sub-directories merge.
 */
export function planHookCopies(elements: readonly ElementHooks[]): HookCopy[] {
  const owner = new Map<string, { element: string; kind: ScannedEntry['kind'] }>();
  const copies: HookCopy[] = [];
  for (const hooks of elements) {
    for (const [dir, entries] of hooks.dirs) {
      for (const entry of entries) {
        const target = `${dir}/${entry.name}`;
        const first = owner.get(target);
        if (first !== undefined && !(first.kind === 'directory' && entry.kind === 'directory')) {
          throw inputError(
            `There is a duplicated hook in your elements: ${hooks.element}/${target}`,
            `element '${first.element}' has ${target} too; hook names must be unique across elements, rename one`,
          );
        }
        owner.set(target, { element: hooks.element, kind: entry.kind });
        copies.push({ element: hooks.element, source: join(hooks.path, dir, entry.name), target, kind: entry.kind });
      }
    }
  }
  return copies;
}

function hookScript(hooks: ElementHooks, dir: string, name: string): HookScript {
  return { element: hooks.element, dir, name, path: join(hooks.path, dir, name), inTargetPath: `${IN_TARGET_HOOKS}/${dir}/${name}` };
}

/** Collects one hook directory across all elements (names already known unique): what runs, what does not. */
function collectDir(
  all: readonly ElementHooks[],
  dir: string,
  runs: (entry: ScannedEntry) => string | undefined,
  ignored: IgnoredHook[],
  installTypeDirs: ReadonlySet<string> = new Set(),
): HookScript[] {
  const scripts = new Map<string, HookScript>();
  const add = (hooks: ElementHooks, sub: string | undefined, entry: ScannedEntry): void => {
    const where = sub === undefined ? dir : `${dir}/${sub}`;
    const reason = runs(entry);
    if (reason) {
      ignored.push({ element: hooks.element, dir: where, name: entry.name, reason });
      return;
    }
    const first = scripts.get(entry.name);
    if (first) {
      throw inputError(
        `There is a duplicated hook in your elements: ${hooks.element}/${where}/${entry.name}`,
        `${first.element}/${first.dir}/${entry.name} runs under the same name in ${dir}; rename one`,
      );
    }
    scripts.set(entry.name, hookScript(hooks, where, entry.name));
  };
  for (const hooks of all) {
    for (const entry of hooks.dirs.get(dir) ?? []) {
      if (entry.kind !== 'directory') {
        add(hooks, undefined, entry);
      } else if (installTypeDirs.has(entry.name)) {
        for (const child of entry.children ?? []) add(hooks, entry.name, child);
      } else {
        const why = /-install$/.test(entry.name) ? 'an install-type directory whose type is not selected' : 'a directory';
        ignored.push({ element: hooks.element, dir, name: entry.name, reason: why });
      }
    }
  }
  return sortRunParts([...scripts.keys()]).map((n) => scripts.get(n) as HookScript);
}

function scriptRuns(entry: ScannedEntry): string | undefined {
  if (entry.kind !== 'file') return 'not a regular file';
  if (!isRunnableScriptName(entry.name)) return 'name has characters outside [0-9A-Za-z_-] (e.g. a dot), so dib-run-parts skips it';
  if (!entry.executable) return 'not executable';
  return undefined;
}

function environmentFileSourced(entry: ScannedEntry): string | undefined {
  if (entry.kind !== 'file') return 'not a regular file';
  if (!isEnvironmentFileName(entry.name)) return 'name has characters outside [0-9A-Za-z_.-]';
  return undefined;
}

/** The hook plan for the expanded elements, given in expansion order. Pure. */
export function planHooks(elements: readonly ElementHooks[], options: InstallTypeOptions = {}): HookPlan {
  const copies = planHookCopies(elements);
  const ignored: IgnoredHook[] = [];
  const installTypeDirNames = elements.flatMap((e) => (e.dirs.get(INSTALL_DIR) ?? []).filter((x) => x.kind === 'directory').map((x) => x.name));
  const installTypeDirs = selectedInstallTypeDirs(installTypeDirNames, options.env ?? {});
  const environment = collectDir(elements, ENVIRONMENT_DIR, environmentFileSourced, ignored);
  const phases = PHASES.map((p) => ({
    phase: p.dir,
    where: p.where,
    scripts: collectDir(elements, p.dir, scriptRuns, ignored, p.dir === INSTALL_DIR ? installTypeDirs : undefined),
  }));
  return { environment, phases, ignored, copies };
}
