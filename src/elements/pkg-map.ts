/**
 * pkg-map: per-element translation of generic package names to a distribution's names
 * (reference/dib.md §3.4). A map is JSON with up to four sections; the most specific wins:
 *
 *   default  <  family.<family>  <  distro.<distro>  <  release.<distro>.<release>
 *
 * A value may name several packages separated by spaces; an empty value means "skip this package". A name
 * with no mapping is an error unless missing names are allowed, in which case it passes through unchanged.
 *
 * Fixed on purpose: DIB normalises only the release `8-stream` to `8`; here any `N-stream` that has no
 * entry of its own falls back to `N` (dib.md §11 item 12). Unknown top-level keys and non-string values
 * are errors naming the file and key, instead of being ignored or crashing later.
 */
import { readFileSync } from 'node:fs';
import { inputError } from '../errors.js';

export type NameMap = Readonly<Record<string, string>>;

export interface PkgMap {
  readonly default: NameMap;
  readonly family: Readonly<Record<string, NameMap>>;
  readonly distro: Readonly<Record<string, NameMap>>;
  readonly release: Readonly<Record<string, Readonly<Record<string, NameMap>>>>;
}

/** Distribution → family (DIB's os_family, current upstream list plus 3.13's rhel7/centos7). */
const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  redhat: ['almalinux', 'centos', 'centos7', 'fedora', 'openeuler', 'rhel', 'rhel7', 'rocky'],
  debian: ['debian', 'ubuntu'],
  suse: ['opensuse'],
  gentoo: ['gentoo'],
};

export function osFamily(distro: string): string | undefined {
  return Object.keys(FAMILIES).find((family) => FAMILIES[family]?.includes(distro));
}

/** The release keys to try, most specific first: the release itself, then `N` for `N-stream`. */
export function releaseKeys(release: string | undefined): string[] {
  if (release === undefined || release === '') return [];
  const stream = /^(\d+)-stream$/.exec(release);
  return stream ? [release, stream[1] as string] : [release];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nameMap(v: unknown, source: string, where: string): NameMap {
  if (!isObject(v)) throw inputError(`${source}: ${where} must be an object of package name → names`, 'see tsdib elements pkg-map');
  for (const [name, value] of Object.entries(v)) {
    if (typeof value !== 'string') {
      throw inputError(`${source}: ${where}.${name} must be a string (package names separated by spaces, "" to skip)`, `it is ${JSON.stringify(value)}`);
    }
  }
  return v as NameMap;
}

function mapsBy(v: unknown, source: string, where: string): Record<string, NameMap> {
  if (v === undefined) return {};
  if (!isObject(v)) throw inputError(`${source}: ${where} must be an object`, `keyed by ${where === 'family' ? 'family (redhat, debian, suse, gentoo)' : 'distribution'}`);
  return Object.fromEntries(Object.entries(v).map(([k, m]) => [k, nameMap(m, source, `${where}.${k}`)]));
}

const SECTIONS = new Set(['default', 'family', 'distro', 'release']);

/** Parses a pkg-map file (JSON, as DIB reads it). `source` names the file in errors. */
export function parsePkgMap(text: string, source: string): PkgMap {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw inputError(`Unable to parse ${source}: ${(e as Error).message}`, 'a pkg-map file is JSON');
  }
  if (!isObject(data)) throw inputError(`${source}: a pkg-map must be a JSON object`, 'with keys default, family, distro, release');
  for (const key of Object.keys(data)) {
    if (!SECTIONS.has(key)) throw inputError(`${source}: unknown key '${key}'`, 'a pkg-map has only default, family, distro and release');
  }
  const release: Record<string, Record<string, NameMap>> = {};
  if (data['release'] !== undefined) {
    if (!isObject(data['release'])) throw inputError(`${source}: release must be an object`, 'release.<distro>.<release>.<name>');
    for (const [distro, byRelease] of Object.entries(data['release'])) release[distro] = mapsBy(byRelease, source, `release.${distro}`);
  }
  return {
    default: data['default'] === undefined ? {} : nameMap(data['default'], source, 'default'),
    family: mapsBy(data['family'], source, 'family'),
    distro: mapsBy(data['distro'], source, 'distro'),
    release,
  };
}

/** The merged name map for one distribution and release: default < family < distro < release. */
export function effectiveNameMap(map: PkgMap, distro: string, release?: string): Map<string, string> {
  const merged = new Map(Object.entries(map.default));
  const layer = (m: NameMap | undefined): void => {
    for (const [k, v] of Object.entries(m ?? {})) merged.set(k, v);
  };
  const family = osFamily(distro);
  if (family !== undefined) layer(map.family[family]);
  layer(map.distro[distro]);
  const releases = map.release[distro] ?? {};
  const key = releaseKeys(release).find((r) => releases[r] !== undefined);
  if (key !== undefined) layer(releases[key]);
  return merged;
}

export interface MappedName {
  readonly name: string;
  /** The map's value ("a b" for several packages), '' when mapped to nothing (skip), undefined if unmapped. */
  readonly value: string | undefined;
}

/** Looks each name up; keeps input order. */
export function lookupNames(map: PkgMap, names: readonly string[], distro: string, release?: string): MappedName[] {
  const merged = effectiveNameMap(map, distro, release);
  return names.map((name) => ({ name, value: merged.get(name) }));
}

export interface MapOptions {
  readonly distro: string;
  readonly release?: string;
  /** Pass unmapped names through instead of failing (DIB's --missing-ok). */
  readonly missingOk?: boolean;
  /** Names the map in errors (an element name or a file). */
  readonly source?: string;
}

/**
 * Maps package names to the packages to install: values split on whitespace, skipped names dropped,
 * duplicates dropped (first wins). With no map at all, names pass through if missingOk, else error.
 */
export function mapPackages(map: PkgMap | undefined, names: readonly string[], options: MapOptions): string[] {
  const source = options.source ?? 'pkg-map';
  if (map === undefined) {
    if (options.missingOk) return [...new Set(names)];
    throw inputError(`Required pkg-map for ${source} does not exist`, 'add a pkg-map file to the element or allow missing names');
  }
  const out: string[] = [];
  for (const { name, value } of lookupNames(map, names, options.distro, options.release)) {
    if (value === undefined) {
      if (!options.missingOk) throw inputError(`${source} has no valid mapping for package ${name}`, `add "${name}" to its pkg-map (default, family, distro or release)`);
      out.push(name);
      continue;
    }
    out.push(...value.split(/\s+/).filter((p) => p !== ''));
  }
  return [...new Set(out)];
}

/** Reads a pkg-map file; undefined when it does not exist (the I/O edge of this module). */
export function readPkgMapFile(path: string): PkgMap | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parsePkgMap(text, path);
}
