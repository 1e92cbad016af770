/**
 * Element expansion: the user's list plus everything reachable through element-deps, with element-provides
 * satisfying (often virtual) names. Semantics follow DIB's _expand_element_dependencies (reference/dib.md
 * §2.2, §2.3) with two of its bugs fixed:
 *
 * - The result is an ordered list, not a Python set: user elements first in the order given, then
 *   dependencies breadth-first, each element's deps in file order. Same inputs, same order, every run.
 * - A name some element could provide is only resolved once nothing else is left to expand, so whether a
 *   provider or a same-named element wins never depends on queue order; and a `block-device` nobody
 *   provides gets DIB's default layout element (block-device-mbr, block-device-efi on arm64) wherever
 *   `vm` came from. DIB applies that default only when `vm` is typed on the command line and otherwise
 *   fails with "Element 'block-device' not found".
 *
 * Pure: works on an ElementCatalog already read from disk.
 */
import { inputError } from '../errors.js';
import type { ElementCatalog, ElementInfo } from './discovery.js';

export const OPERATING_SYSTEM = 'operating-system';
export const BLOCK_DEVICE = 'block-device';
export const BASE_ELEMENT = 'base';

export interface ExpandOptions {
  /** -n: do not prepend `base`. */
  readonly skipBase?: boolean;
  /** Target architecture (DIB names: amd64, arm64, ...): picks the default block-device element. */
  readonly arch?: string;
  /** DIB refuses a list without an operating-system provider; tools that only inspect may turn it off. */
  readonly requireOperatingSystem?: boolean;
}

export interface Expansion {
  /** The expanded elements, in the deterministic order described above. */
  readonly elements: readonly ElementInfo[];
  /** Every provided name → the element providing it. */
  readonly providedBy: ReadonlyMap<string, string>;
  /** Things the user may want to know (e.g. a default block-device element was added). */
  readonly notes: readonly string[];
}

/** DIB prints Python lists in its messages: ['a', 'b']. */
function pyList(names: readonly string[]): string {
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}

/** The default layout element DIB's `vm` hack adds (dib.md §1.3 step 5). */
export function defaultBlockDeviceElement(arch: string | undefined): string {
  return arch === 'arm64' || arch === 'aarch64' ? 'block-device-efi' : 'block-device-mbr';
}

/** Who in the catalog provides each name. */
function providersIndex(catalog: ElementCatalog): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const element of catalog.elements.values()) {
    for (const p of element.provides) index.set(p, [...(index.get(p) ?? []), element.name]);
  }
  return index;
}

/** The user's list with `base` prepended unless -n, duplicates dropped (first wins). */
export function requestedElements(user: readonly string[], skipBase = false): string[] {
  const list = skipBase ? [...user] : [BASE_ELEMENT, ...user];
  return list.filter((name, i) => list.indexOf(name) === i);
}

export function expandElements(user: readonly string[], catalog: ElementCatalog, options: ExpandOptions = {}): Expansion {
  const requested = requestedElements(user, options.skipBase);
  const requestedSet = new Set(requested);
  const providers = providersIndex(catalog);
  const included = new Map<string, ElementInfo>();
  const providedBy = new Map<string, string>();
  const neededBy = new Map<string, string>();
  const notes: string[] = [];
  const queue: string[] = [...requested];
  const deferred: string[] = [];

  const include = (element: ElementInfo): void => {
    for (const p of element.provides) {
      const earlier = providedBy.get(p);
      if (earlier !== undefined) {
        throw inputError(`${p}: already provided by ${pyList([earlier])}`, `'${element.name}' provides it too; keep only one of them`);
      }
      if (included.has(p) && !requestedSet.has(p)) {
        // DIB would silently drop the real element after expanding its deps; say so instead.
        throw inputError(`${p}: already included as an element, and '${element.name}' provides it too`, `depend on one or the other, not both`);
      }
      providedBy.set(p, element.name);
    }
    included.set(element.name, element);
    for (const dep of element.depends) {
      if (!neededBy.has(dep)) neededBy.set(dep, element.name);
      queue.push(dep);
    }
  };

  const missing = (name: string): never => {
    const by = neededBy.get(name);
    const candidates = providers.get(name);
    const hint = candidates
      ? `'${name}' is provided by ${candidates.join(', ')}: add one of them`
      : `${by ? `needed by '${by}'; ` : ''}searched ${catalog.searchPath.join(':')} (tsdib elements lists what is there)`;
    throw inputError(`Element '${name}' not found`, hint);
  };

  while (queue.length > 0 || deferred.length > 0) {
    const resolvingDeferred = queue.length === 0;
    const name = resolvingDeferred ? (deferred.shift() as string) : (queue.shift() as string);
    if (included.has(name) || providedBy.has(name)) continue;
    const element = catalog.elements.get(name);
    const couldBeProvided = (providers.get(name) ?? []).some((p) => !included.has(p));
    // A user-requested real element is taken as asked; anything else a provider could satisfy waits.
    if (!resolvingDeferred && couldBeProvided && !(element && requestedSet.has(name))) {
      if (!deferred.includes(name)) deferred.push(name);
      continue;
    }
    if (element) {
      include(element);
      continue;
    }
    if (name === BLOCK_DEVICE) {
      const fallback = catalog.elements.get(defaultBlockDeviceElement(options.arch));
      if (fallback) {
        notes.push(`no element provides block-device: using ${fallback.name}`);
        include(fallback);
        continue;
      }
    }
    missing(name);
  }

  const conflicts = requested.filter((name) => providedBy.has(name));
  if (conflicts.length > 0) {
    const detail = conflicts.map((c) => `${c} : already provided by ${pyList([providedBy.get(c) as string])}`).join('; ');
    throw inputError(`The following elements are already provided by another element: ${detail}`, 'remove them from the element list');
  }
  if ((options.requireOperatingSystem ?? true) && !providedBy.has(OPERATING_SYSTEM)) {
    throw inputError(
      'Please include an operating system element',
      "add an element whose element-provides lists operating-system (tsdib elements shows which do)",
    );
  }
  return { elements: [...included.values()], providedBy, notes };
}

/**
 * What DIB's `element-info --env` exports for hooks (dib.md §2.3): IMAGE_ELEMENT (space-separated names)
 * and IMAGE_ELEMENT_YAML (a YAML mapping name → path), in our deterministic order.
 */
export function imageElementVariables(expansion: Expansion): { IMAGE_ELEMENT: string; IMAGE_ELEMENT_YAML: string } {
  const names = expansion.elements.map((e) => e.name);
  const yaml = expansion.elements.map((e) => `${e.name}: ${quoteYamlScalar(e.path)}`).join('\n');
  return { IMAGE_ELEMENT: names.join(' '), IMAGE_ELEMENT_YAML: `${yaml}\n` };
}

/** Paths are plain in practice; quote the rare one YAML would misread. */
function quoteYamlScalar(text: string): string {
  return /^[A-Za-z0-9_./+-][A-Za-z0-9_./+ -]*$/.test(text) && !text.endsWith(' ') ? text : JSON.stringify(text);
}
