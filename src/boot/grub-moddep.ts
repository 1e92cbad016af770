/**
 * GRUB module dependencies: moddep.lst has one line per module, "name: dep dep ...". core.img must
 * embed a module after everything it depends on, because GRUB's kernel links embedded modules in
 * order before any prefix is known (bootloader.md §1.6).
 */
import { inputError } from '../errors.js';

export type ModuleDeps = ReadonlyMap<string, readonly string[]>;

export function parseModdep(text: string): ModuleDeps {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name) continue;
    deps.set(name, line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  return deps;
}

/**
 * The modules to embed for `wanted`, each after its dependencies (depth-first post-order), each once.
 * `exists` says whether a module file is present; a missing one is an input error naming it.
 */
export function resolveModules(wanted: readonly string[], deps: ModuleDeps, exists: (name: string) => boolean): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string, from: string | undefined): void => {
    if (done.has(name) || visiting.has(name)) return; // a cycle in moddep.lst: GRUB ignores it too
    if (!exists(name)) {
      throw inputError(`GRUB module ${name}.mod is missing${from ? ` (needed by ${from})` : ''}`, 'install grub-pc-bin in the rootfs (or on the host) so /usr/lib/grub/i386-pc is complete');
    }
    visiting.add(name);
    for (const dep of deps.get(name) ?? []) visit(dep, name);
    visiting.delete(name);
    done.add(name);
    order.push(name);
  };
  for (const name of wanted) visit(name, undefined);
  return order;
}
