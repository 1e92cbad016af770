/**
 * From YAML text (or a preset name) to a validated LayoutGraph: YAML → top-level checks and the
 * ajv schema (errors name the YAML path) → DIB's tree→graph conversion → typed graph.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { inputError, TsdibError } from '../errors.js';
import { buildGraph, type LayoutGraph } from './graph.js';
import { PRESETS, isPresetName } from './presets.js';
import { allowedKeys, describeAjvError, pluginValidator, PLUGINS } from './schema.js';
import { configTreeToGraph, isPlugin, type GraphEntry } from './tree.js';

export interface Layout {
  /** The graph entries after tree→graph conversion (DIB's canonical form). */
  readonly entries: readonly GraphEntry[];
  readonly graph: LayoutGraph;
  /** What the layout came from: a file name or "preset <name>". */
  readonly source: string;
}

/** Checks every entry body against the schema; the first problem becomes an error naming its path. */
export function validateConfig(config: unknown): void {
  if (!Array.isArray(config)) return; // configTreeToGraph reports it
  config.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return;
    const keys = Object.keys(entry);
    if (keys.length !== 1 || !isPlugin(keys[0]!)) return;
    const plugin = keys[0];
    const body = (entry as Record<string, unknown>)[plugin] ?? {};
    const validate = pluginValidator(plugin);
    if (validate(body)) return;
    const err = validate.errors![0]!;
    const { path, problem } = describeAjvError(err);
    const fullPath = `[${i}].${plugin}${path}`;
    const hint =
      err.keyword === 'additionalProperties'
        ? `keys allowed here: ${allowedKeys(ownerOf(fullPath, plugin)).join(', ')} (or a nested plugin: ${PLUGINS.join(', ')})`
        : undefined;
    throw inputError(`block-device config ${fullPath}: ${problem}`, hint);
  });
}

/** The plugin (or "partition") that owns the object at `path`. */
function ownerOf(path: string, top: (typeof PLUGINS)[number]): (typeof PLUGINS)[number] | 'partition' {
  // `path` names the object holding the bad key: its last part says what kind of object it is.
  const parts = path.split('.').map((s) => s.replace(/\[\d+\]$/, ''));
  const owner = parts[parts.length - 1] ?? top;
  if (owner === 'partitions') return 'partition';
  return isPlugin(owner) ? owner : top;
}

function withSource<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TsdibError && e.message.startsWith('block-device config')) {
      throw new TsdibError(e.exitCode, `${source}${e.message.slice('block-device config'.length)}`, e.hint);
    }
    throw e;
  }
}

/** Parses a DIB block-device YAML document (tree or graph form). `source` names it in errors. */
export function parseLayout(text: string, source = 'block-device config'): Layout {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const line = e.linePos?.[0];
      throw inputError(`${source}: invalid YAML${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
  return withSource(source, () => {
    validateConfig(config);
    const entries = configTreeToGraph(config);
    return { entries, graph: buildGraph(entries), source };
  });
}

/** One of DIB's default layouts: mbr, gpt, efi, none. */
export function presetLayout(name: string): Layout {
  if (!isPresetName(name)) throw inputError(`unknown block-device preset "${name}"`, `use ${Object.keys(PRESETS).join(', ')} or a YAML file`);
  return parseLayout(PRESETS[name], `preset ${name}`);
}
