/**
 * Element discovery: every sub-directory of an ELEMENTS_PATH entry is an element named after the directory
 * (reference/dib.md §2.1). This is the I/O edge of src/elements: it reads directories and the two small
 * element-deps / element-provides files; everything after it is pure.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors.js';

export interface ElementInfo {
  /** The directory name: how elements are named everywhere. */
  readonly name: string;
  /** Real path of the element's directory (DIB resolves with realpath too). */
  readonly path: string;
  /** Names from element-deps, in file order, duplicates dropped. */
  readonly depends: readonly string[];
  /** Names from element-provides (often virtual, e.g. operating-system, block-device). */
  readonly provides: readonly string[];
}

export interface ElementOverride {
  readonly name: string;
  /** The path that wins (earlier ELEMENTS_PATH entry). */
  readonly winner: string;
  /** The path it hides. */
  readonly hidden: string;
}

export interface ElementCatalog {
  /** Every element found, by name, the winner of any override. Iteration is sorted by name. */
  readonly elements: ReadonlyMap<string, ElementInfo>;
  /** DIB logs "Element <new> overrides <old>" for these; callers may show them. */
  readonly overrides: readonly ElementOverride[];
  /** The directories searched, highest priority first. */
  readonly searchPath: readonly string[];
}

/**
 * Parses an element-deps or element-provides file: one name per line, surrounding whitespace and blank
 * lines dropped (as DIB does). Lines starting with '#' are comments here; DIB would treat them as element
 * names and fail, so accepting them breaks nothing that works in DIB.
 */
export function parseElementList(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!names.includes(line)) names.push(line);
  }
  return names;
}

function readElementList(path: string): string[] {
  try {
    return parseElementList(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads one element directory. */
export function readElement(name: string, dir: string): ElementInfo {
  const path = realpathSync(dir);
  return {
    name,
    path,
    depends: readElementList(join(path, 'element-deps')),
    provides: readElementList(join(path, 'element-provides')),
  };
}

/**
 * Finds every element on the search path (highest priority first). A missing or non-directory entry is an
 * input error with DIB's wording: "ELEMENTS_PATH entry '<p>' is not a directory".
 */
export function discoverElements(searchPath: readonly string[]): ElementCatalog {
  const found = new Map<string, ElementInfo>();
  const overrides: ElementOverride[] = [];
  for (const entry of searchPath) {
    if (!isDirectory(entry)) {
      throw inputError(`ELEMENTS_PATH entry '${entry}' is not a directory`, 'fix ELEMENTS_PATH or --elements-path (colon-separated directories)');
    }
    for (const name of readdirSync(entry).sort()) {
      const dir = join(entry, name);
      if (!isDirectory(dir)) continue;
      const element = readElement(name, dir);
      const winner = found.get(name);
      if (winner) {
        // Earlier entries override later ones: keep the first seen, remember what it hides.
        if (winner.path !== element.path) overrides.push({ name, winner: winner.path, hidden: element.path });
        continue;
      }
      found.set(name, element);
    }
  }
  const sorted = new Map([...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { elements: sorted, overrides, searchPath: [...searchPath] };
}
