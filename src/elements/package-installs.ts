/**
 * package-installs: each element's package-installs.yaml / .json, evaluated for one build and squashed
 * across elements (reference/dib.md §3.1–§3.3).
 *
 * The file maps a package name to nothing, to one parameter map, or to a list of parameter maps (each list
 * entry is an alternative, evaluated on its own). Keys: phase, uninstall, build-only, installtype, arch,
 * not-arch, when, dib_python_version.
 *
 * DIB bugs fixed here (dib.md §11 item 11), each a documented difference:
 * - `uninstall: false` and `build-only: false` mean false (DIB acts on the key's mere presence);
 * - whitespace around `arch` / `not-arch` items is trimmed (DIB never matches "ppc64, ppc64le" on ppc64le);
 * - a `phase` other than pre-install.d, install.d, post-install.d is an error (DIB silently drops it);
 * - unknown keys are errors naming the key (DIB ignores typos such as `uninstal`);
 * - only the winning copy of an overridden element is read (DIB merges every same-named element on the
 *   path, §11 item 10);
 * - a build-only package is not removed when another entry installs it plainly in the same phase,
 *   whichever element comes first ("install wins").
 *
 * Parsing and evaluation are pure; loadPackageInstalls() is the I/O edge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { inputError } from '../errors.js';
import { mapPackages, type PkgMap } from './pkg-map.js';

export const PACKAGE_PHASES = ['pre-install.d', 'install.d', 'post-install.d'] as const;
export type PackagePhase = (typeof PACKAGE_PHASES)[number];
export const DEFAULT_PACKAGE_PHASE: PackagePhase = 'install.d';

export interface WhenClause {
  readonly variable: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** One parameter map of one package, validated. */
export interface PackageRule {
  readonly package: string;
  readonly phase: PackagePhase;
  readonly uninstall: boolean;
  readonly buildOnly: boolean;
  readonly installtype?: string;
  readonly arch?: readonly string[];
  readonly notArch?: readonly string[];
  readonly when: readonly WhenClause[];
  readonly dibPythonVersion?: string;
}

const KEYS = new Set(['phase', 'uninstall', 'build-only', 'installtype', 'arch', 'not-arch', 'when', 'dib_python_version']);

/** DIB's `when` grammar: VAR=value or VAR!=value, spaces allowed around the operator. */
const WHEN_LINE = /^(\w+)\s*(!=|=)\s*(.*)$/;

export function parseWhen(line: string, where: string): WhenClause {
  const m = WHEN_LINE.exec(line);
  if (!m) throw inputError(`${where}: Malformed when line: <${line}>`, 'write VARIABLE=value or VARIABLE!=value');
  return { variable: m[1] as string, op: m[2] as '=' | '!=', value: (m[3] as string).trimEnd() };
}

function flag(value: unknown, where: string, key: string): boolean {
  // DIB acts on presence; `key:` with no value keeps that meaning, `false` now means false.
  if (value === null || value === true) return true;
  if (value === false) return false;
  throw inputError(`${where}: '${key}' must be true or false`, `it is ${JSON.stringify(value)}`);
}

function archList(value: unknown, where: string, key: string): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  if (!items) throw inputError(`${where}: '${key}' must be a comma-separated string of architectures`, `it is ${JSON.stringify(value)}`);
  return items.map((a) => a.trim()).filter((a) => a !== '');
}

function scalarString(value: unknown, where: string, key: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw inputError(`${where}: '${key}' must be a string`, `it is ${JSON.stringify(value)}`);
}

function parseRule(pkg: string, params: unknown, where: string): PackageRule {
  if (params === null || params === undefined || params === '') {
    return { package: pkg, phase: DEFAULT_PACKAGE_PHASE, uninstall: false, buildOnly: false, when: [] };
  }
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw inputError(`${where}: parameters must be a map of keys (phase, uninstall, ...), a list of such maps, or empty`, `got ${JSON.stringify(params)}`);
  }
  const p = params as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!KEYS.has(key)) throw inputError(`${where}: unknown key '${key}'`, `known keys: ${[...KEYS].join(', ')}`);
  }
  const phase = p['phase'] === undefined ? DEFAULT_PACKAGE_PHASE : p['phase'];
  if (!PACKAGE_PHASES.includes(phase as PackagePhase)) {
    throw inputError(`${where}: unknown phase ${JSON.stringify(phase)}`, `packages install in ${PACKAGE_PHASES.join(', ')}`);
  }
  if (p['arch'] !== undefined && p['not-arch'] !== undefined) {
    throw inputError(`${where}: package-installs configuration error: arch and not-arch given for package [${pkg}]`, 'keep one of them');
  }
  const whenRaw = p['when'];
  const whenLines = whenRaw === undefined || whenRaw === null ? [] : Array.isArray(whenRaw) ? whenRaw : [whenRaw];
  const when = whenLines.map((line) => {
    if (typeof line !== 'string') throw inputError(`${where}: 'when' must be a string or a list of strings`, `got ${JSON.stringify(line)}`);
    return parseWhen(line, where);
  });
  return {
    package: pkg,
    phase: phase as PackagePhase,
    uninstall: p['uninstall'] === undefined ? false : flag(p['uninstall'], where, 'uninstall'),
    buildOnly: p['build-only'] === undefined ? false : flag(p['build-only'], where, 'build-only'),
    ...(p['installtype'] !== undefined && { installtype: scalarString(p['installtype'], where, 'installtype') }),
    ...(p['arch'] !== undefined && { arch: archList(p['arch'], where, 'arch') }),
    ...(p['not-arch'] !== undefined && { notArch: archList(p['not-arch'], where, 'not-arch') }),
    when,
    ...(p['dib_python_version'] !== undefined && { dibPythonVersion: scalarString(p['dib_python_version'], where, 'dib_python_version') }),
  };
}

/** Parses already-decoded data (the JSON/YAML document). `source` names the file in errors. */
export function packageRulesFromData(data: unknown, source: string): PackageRule[] {
  if (data === null || data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw inputError(`${source}: must be a map of package name → parameters`, 'see the package-installs element README');
  }
  const rules: PackageRule[] = [];
  for (const [pkg, params] of Object.entries(data as Record<string, unknown>)) {
    const alternatives = Array.isArray(params) ? params : [params];
    alternatives.forEach((alt, i) => {
      const where = `${source}: package '${pkg}'${Array.isArray(params) ? ` (entry ${i + 1})` : ''}`;
      rules.push(parseRule(pkg, alt, where));
    });
  }
  return rules;
}

/** Parses a package-installs file: JSON first, YAML as the fallback (as DIB reads it). */
export function parsePackageInstalls(text: string, source: string): PackageRule[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    try {
      data = parseYaml(text);
    } catch (e) {
      throw inputError(`${source}: neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`, 'fix the syntax');
    }
  }
  return packageRulesFromData(data, source);
}

export interface ElementPackageRules {
  readonly element: string;
  readonly rules: readonly PackageRule[];
}

/** Reads an element's package-installs.json and package-installs.yaml (both, JSON first, as DIB does). */
export function loadPackageInstalls(element: { name: string; path: string }): ElementPackageRules {
  const rules: PackageRule[] = [];
  for (const file of ['package-installs.json', 'package-installs.yaml']) {
    const path = join(element.path, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    rules.push(...parsePackageInstalls(text, path));
  }
  return { element: element.name, rules };
}

/** The variables rules are evaluated against: ARCH, DIB_INSTALLTYPE_*, DIB_DEFAULT_INSTALLTYPE, when: vars. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** An element's install type: DIB_INSTALLTYPE_<name with - as _>, else DIB_DEFAULT_INSTALLTYPE, else source. */
export function elementInstallType(element: string, env: Environment): string {
  return env[`DIB_INSTALLTYPE_${element.replace(/-/g, '_')}`] ?? env['DIB_DEFAULT_INSTALLTYPE'] ?? 'source';
}

function archMatches(rule: PackageRule, env: Environment, where: string): boolean {
  if (rule.arch === undefined && rule.notArch === undefined) return true;
  const arch = env['ARCH'];
  if (arch === undefined) throw inputError(`${where}: ARCH is not set`, 'set ARCH or pass -a');
  return rule.arch !== undefined ? rule.arch.includes(arch) : !(rule.notArch as readonly string[]).includes(arch);
}

function whenHolds(rule: PackageRule, env: Environment, where: string): boolean {
  return rule.when.every((c) => {
    const actual = env[c.variable];
    if (actual === undefined) throw inputError(`${where}: The variable <${c.variable}> is not set`, `its 'when' tests ${c.variable}; set it or fix the condition`);
    return c.op === '=' ? actual === c.value : actual !== c.value;
  });
}

/** Does this rule apply to this build? */
export function ruleApplies(rule: PackageRule, element: string, env: Environment): boolean {
  const where = `element '${element}': package '${rule.package}'`;
  if (rule.installtype !== undefined && rule.installtype !== elementInstallType(element, env)) return false;
  if (!archMatches(rule, env, where)) return false;
  if (rule.dibPythonVersion !== undefined && rule.dibPythonVersion !== (env['DIB_PYTHON_VERSION'] ?? '')) return false;
  return whenHolds(rule, env, where);
}

/** [package, element], as in DIB's /tmp/package-installs.json. */
export type PackageEntry = readonly [pkg: string, element: string];

export interface PhasePackages {
  install: PackageEntry[];
  uninstall: PackageEntry[];
}

/** Phase → lists; only phases with entries appear, in DIB's phase order. */
export type SquashedPackages = Partial<Record<PackagePhase, PhasePackages>>;

/**
 * Evaluates every element's rules (elements in expansion order, rules in file order) and squashes them
 * into the per-phase install / uninstall lists DIB writes to /tmp/package-installs.json.
 */
export function squashPackageInstalls(perElement: readonly ElementPackageRules[], env: Environment): SquashedPackages {
  const install = new Map<PackagePhase, PackageEntry[]>();
  const uninstall = new Map<PackagePhase, { entry: PackageEntry; buildOnly: boolean }[]>();
  const push = <T>(m: Map<PackagePhase, T[]>, phase: PackagePhase, v: T): void => {
    m.set(phase, [...(m.get(phase) ?? []), v]);
  };
  for (const { element, rules } of perElement) {
    for (const rule of rules) {
      if (!ruleApplies(rule, element, env)) continue;
      const entry: PackageEntry = [rule.package, element];
      if (rule.buildOnly) {
        push(install, rule.phase, entry);
        push(uninstall, rule.phase, { entry, buildOnly: true });
      } else if (rule.uninstall) {
        push(uninstall, rule.phase, { entry, buildOnly: false });
      } else {
        push(install, rule.phase, entry);
      }
    }
  }
  const out: SquashedPackages = {};
  for (const phase of PACKAGE_PHASES) {
    // "Install wins": a package someone installs for good is not removed just because another element
    // needed it only to build.
    const kept = plainlyInstalled(perElement, env, phase);
    const removals = (uninstall.get(phase) ?? []).filter((u) => !(u.buildOnly && kept.has(u.entry[0]))).map((u) => u.entry);
    const installs = install.get(phase) ?? [];
    if (installs.length === 0 && removals.length === 0) continue;
    out[phase] = { install: installs, uninstall: removals };
  }
  return out;
}

function plainlyInstalled(perElement: readonly ElementPackageRules[], env: Environment, phase: PackagePhase): Set<string> {
  const names = new Set<string>();
  for (const { element, rules } of perElement) {
    for (const r of rules) if (r.phase === phase && !r.buildOnly && !r.uninstall && ruleApplies(r, element, env)) names.add(r.package);
  }
  return names;
}

export interface PackageActions {
  readonly install: readonly string[];
  readonly uninstall: readonly string[];
}

/**
 * The packages to hand the image's package manager in one phase, after each element's pkg-map (DIB's
 * package-installs-v2: names mapped per element with missing names passed through, then deduplicated;
 * here in first-seen order rather than a set's).
 */
export function packageActions(
  squashed: SquashedPackages,
  phase: PackagePhase,
  pkgMaps: ReadonlyMap<string, PkgMap | undefined>,
  target: { distro: string; release?: string },
): PackageActions {
  const mapList = (entries: readonly PackageEntry[]): string[] => {
    const out: string[] = [];
    for (const [pkg, element] of entries) {
      const mapped = mapPackages(pkgMaps.get(element), [pkg], { ...target, missingOk: true, source: element });
      for (const m of mapped) if (!out.includes(m)) out.push(m);
    }
    return out;
  };
  const lists = squashed[phase];
  return { install: mapList(lists?.install ?? []), uninstall: mapList(lists?.uninstall ?? []) };
}
