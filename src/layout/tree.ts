/**
 * DIB's tree → graph conversion (reference/dib.md §6.2, DIB's config.py): every plugin key nested
 * in a node becomes its own top-level entry whose `base` defaults to the parent's name and whose
 * name defaults to `<plugin>_<base>` (mkfs under partition `root` → `mkfs_root`, its mount →
 * `mount_mkfs_root`, its fstab → `fstab_mount_mkfs_root`). `partitions` stay inside their
 * partitioning entry with `base` forced to the partitioning's base; plugins nested in a partition
 * get the partition's name as base. A graph-form config converts to itself.
 *
 * Each entry keeps the YAML path it came from, so later errors can point at the user's text.
 */
import { inputError } from '../errors.js';
import { PLUGINS, type PluginName } from './schema.js';

export type ConfigValues = Record<string, unknown>;

export interface GraphEntry {
  readonly plugin: PluginName;
  readonly values: ConfigValues;
  /** Where the entry was written, e.g. "[1].partitioning.partitions[0].mkfs". */
  readonly path: string;
}

export function isPlugin(key: string): key is PluginName {
  return (PLUGINS as readonly string[]).includes(key);
}

function isDict(v: unknown): v is ConfigValues {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function recurse(plugin: PluginName, values: ConfigValues, path: string, parentBase: string | undefined): GraphEntry[] {
  const out: GraphEntry[] = [];
  const self: ConfigValues = {};
  if ('base' in values) self['base'] = values['base'];
  else if (parentBase !== undefined) self['base'] = parentBase;
  if ('name' in values) self['name'] = values['name'];
  else if (self['base'] !== undefined) self['name'] = `${plugin}_${String(self['base'])}`;
  for (const [key, value] of Object.entries(values)) {
    if (key === 'name' || key === 'base') continue;
    if (key === 'partitions' && plugin === 'partitioning' && Array.isArray(value)) {
      self['partitions'] = value.map((partition, i) => {
        const partPath = `${path}.partitions[${i}]`;
        if (!isDict(partition)) throw inputError(`block-device config ${partPath}: a partition must be a mapping`);
        const flat: ConfigValues = {};
        for (const [pk, pv] of Object.entries(partition)) {
          if (isPlugin(pk)) out.push(...recurse(pk, asDict(pv, `${partPath}.${pk}`), `${partPath}.${pk}`, stringOrUndefined(partition['name'])));
          else flat[pk] = pv;
        }
        flat['base'] = self['base'];
        return flat;
      });
    } else if (isPlugin(key)) {
      out.push(...recurse(key, asDict(value, `${path}.${key}`), `${path}.${key}`, stringOrUndefined(self['name'])));
    } else {
      self[key] = value;
    }
  }
  return [{ plugin, values: self, path }, ...out];
}

function stringOrUndefined(v: unknown): string | undefined {
  return v === undefined ? undefined : String(v);
}

function asDict(v: unknown, path: string): ConfigValues {
  if (v === null || v === undefined) return {};
  if (!isDict(v)) throw inputError(`block-device config ${path}: expected a mapping of keys`);
  return v;
}

/**
 * Converts a parsed config (a list of single-key plugin entries) to graph entries, checking the top
 * level with DIB's messages. Entries come out parent first, in document order.
 */
export function configTreeToGraph(config: unknown): GraphEntry[] {
  if (!Array.isArray(config)) throw inputError('block-device config: the top level must be a list of plugin entries', 'see the DIB block-device examples: - local_loop: {...}');
  const out: GraphEntry[] = [];
  config.forEach((entry, i) => {
    const path = `[${i}]`;
    if (!isDict(entry)) throw inputError(`block-device config ${path}: Config entry not a dict: ${JSON.stringify(entry)}`);
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      throw inputError(`block-device config ${path}: Config entry top-level should be a single dict: ${keys.join(', ')}`, 'give each plugin its own list item');
    }
    const key = keys[0]!;
    if (!isPlugin(key)) throw inputError(`block-device config ${path}: unknown plugin "${key}"`, `plugins are ${PLUGINS.join(', ')}`);
    out.push(...recurse(key, asDict(entry[key], `${path}.${key}`), `${path}.${key}`, undefined));
  });
  return out;
}

/** The graph in DIB's own shape ([{plugin: values}]), e.g. to compare a tree with its graph form. */
export function toDibGraph(entries: readonly GraphEntry[]): ConfigValues[] {
  return entries.map((e) => ({ [e.plugin]: e.values }));
}
