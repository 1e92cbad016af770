/**
 * Elements: discovery on ELEMENTS_PATH, deterministic expansion, the hook plan (which scripts run in which
 * phase, in what order, with what environment), package-installs and pkg-map. Execution of the plan (the
 * chroot executor) is a later step and lives elsewhere.
 */
import { join } from 'node:path';
import { discoverElements, type ElementCatalog } from './discovery.js';
import { expandElements, type ExpandOptions, type Expansion } from './expand.js';
import { loadPackageInstalls, squashPackageInstalls, type Environment, type SquashedPackages } from './package-installs.js';
import { planHooks, scanElementHooks, type HookPlan } from './phases.js';
import { readPkgMapFile, type PkgMap } from './pkg-map.js';
import { elementsSearchPath } from './search-path.js';

export * from './discovery.js';
export * from './environment.js';
export * from './expand.js';
export * from './package-installs.js';
export * from './phases.js';
export * from './pkg-map.js';
export * from './run-parts.js';
export * from './search-path.js';

export interface ElementsRequest extends ExpandOptions {
  /** Elements named by the user. */
  readonly names: readonly string[];
  /** --elements-path; ELEMENTS_PATH from `env` otherwise; the shipped elements always last. */
  readonly elementsPath?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ElementsPlan {
  readonly catalog: ElementCatalog;
  readonly expansion: Expansion;
  readonly hooks: HookPlan;
  readonly packages: SquashedPackages;
  /** Element name → its pkg-map (undefined when it has none). */
  readonly pkgMaps: ReadonlyMap<string, PkgMap | undefined>;
}

/** Everything the build needs to know about its elements before running anything. Reads element files. */
export function planElements(request: ElementsRequest): ElementsPlan {
  const env = request.env ?? process.env;
  const catalog = discoverElements(elementsSearchPath(request.elementsPath, env));
  const expansion = expandElements(request.names, catalog, request);
  const hooks = planHooks(expansion.elements.map(scanElementHooks), { env });
  const packageEnv: Environment = { ...env, ...(request.arch !== undefined && { ARCH: request.arch }) };
  const packages = squashPackageInstalls(expansion.elements.map(loadPackageInstalls), packageEnv);
  const pkgMaps = new Map(expansion.elements.map((e) => [e.name, readPkgMapFile(join(e.path, 'pkg-map'))] as const));
  return { catalog, expansion, hooks, packages, pkgMaps };
}
