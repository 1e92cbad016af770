/**
 * DIB_BLOCK_DEVICE_CONFIG, read as DIB reads it: `file:///path` names a YAML file, anything else is the
 * YAML itself. One reader for `assemble` (after --block-device) and `build` (before the elements'
 * block-device-default.yaml).
 */
import { existsSync, readFileSync } from 'node:fs';
import { inputError } from '../errors.js';
import { parseLayout, type Layout } from './parse.js';

/** The layout DIB_BLOCK_DEVICE_CONFIG gives, or undefined when it is unset or blank. */
export function layoutFromEnv(env: NodeJS.ProcessEnv): Layout | undefined {
  const config = env['DIB_BLOCK_DEVICE_CONFIG'];
  if (config === undefined || config.trim() === '') return undefined;
  if (!config.startsWith('file://')) return parseLayout(config, 'DIB_BLOCK_DEVICE_CONFIG');
  const file = config.slice('file://'.length);
  if (!existsSync(file)) throw inputError(`DIB_BLOCK_DEVICE_CONFIG=${config}: no such file`, 'point it at a block-device YAML file');
  return parseLayout(readFileSync(file, 'utf8'), file);
}
