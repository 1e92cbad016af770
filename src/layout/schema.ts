/**
 * The JSON schema of DIB's block-device YAML (reference/dib.md §6.2-6.3), in tree or graph form.
 * DIB silently ignores unknown keys (dib.md §11 item 13: the fixture typo `fck-passno` falls back
 * to the default); we reject them, naming the YAML path. Required keys are checked by the graph
 * builder instead, so their errors can carry DIB's own messages.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export const PLUGINS = ['local_loop', 'partitioning', 'lvm', 'mkfs', 'mount', 'fstab'] as const;
export type PluginName = (typeof PLUGINS)[number];

const sizeValue = { type: ['string', 'number'] };
/** Any plugin may be nested inside any node in tree form; its base then defaults to the parent. */
const nestedPlugins = Object.fromEntries(PLUGINS.map((p) => [p, { $ref: `#/definitions/${p}` }]));

const schema = {
  definitions: {
    local_loop: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, base: { type: 'string' }, size: sizeValue, directory: { type: 'string' }, block_size: { type: ['integer', 'string'] }, ...nestedPlugins },
    },
    partitioning: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        base: { type: 'string' },
        label: { type: 'string' },
        align: sizeValue,
        partitions: { type: 'array', items: { $ref: '#/definitions/partition' } },
        ...nestedPlugins,
      },
    },
    partition: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        base: { type: 'string' },
        size: sizeValue,
        type: { type: ['string', 'integer'] },
        flags: { type: 'array', items: { type: 'string' } },
        ...nestedPlugins,
      },
    },
    lvm: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, base: {}, pvs: { type: 'array' }, vgs: { type: 'array' }, lvs: { type: 'array' }, ...nestedPlugins },
    },
    mkfs: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        base: { type: 'string' },
        type: { type: 'string' },
        label: { type: 'string' },
        opts: { type: 'string' },
        uuid: { type: 'string' },
        ...nestedPlugins,
      },
    },
    mount: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, base: { type: 'string' }, mount_point: { type: 'string' }, ...nestedPlugins },
    },
    fstab: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string' },
        base: { type: 'string' },
        options: { type: 'string' },
        'dump-freq': { type: 'integer', minimum: 0 },
        'fsck-passno': { type: 'integer', minimum: 0 },
        ...nestedPlugins,
      },
    },
  },
};

let validators: Map<PluginName, ValidateFunction> | undefined;

/** One compiled validator per plugin body (compiled once, lazily). */
export function pluginValidator(plugin: PluginName): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
    ajv.addSchema(schema, 'block-device');
    validators = new Map(PLUGINS.map((p) => [p, ajv.getSchema(`block-device#/definitions/${p}`)!]));
  }
  return validators.get(plugin)!;
}

/** "/partitions/1/mkfs" → ".partitions[1].mkfs" */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('');
}

/** What went wrong, as one phrase ("unknown key \"fck-passno\"", "must be string"). */
export function describeAjvError(e: ErrorObject): { path: string; problem: string } {
  const path = pointerToPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    return { path, problem: `unknown key "${key}"` };
  }
  return { path, problem: e.message ?? e.keyword };
}

export function allowedKeys(plugin: PluginName | 'partition'): string[] {
  const def = (schema.definitions as Record<string, { properties: Record<string, unknown> }>)[plugin]!;
  return Object.keys(def.properties).filter((k) => !(PLUGINS as readonly string[]).includes(k));
}
