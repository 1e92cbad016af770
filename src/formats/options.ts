/**
 * qemu-img style `-o key=value,...` options, checked per format and turned into each encoder's
 * options. Seeds and the epoch come from the caller (the CLI edge), never from the clock here.
 */
import { deriveBytes, deriveUint32 } from '../seed.js';
import { inputError } from '../errors.js';
import { QCOW2_DEFAULTS, clusterBitsOf, type Qcow2Options } from './qcow2/encode.js';
import type { ImageFormat } from './types.js';
import type { VhdOptions } from './vhd/encode.js';
import type { VdiOptions } from './vdi/encode.js';
import type { VmdkAdapter, VmdkSubformat } from './vmdk/descriptor.js';
import type { VmdkOptions } from './vmdk/encode.js';
import { IMAGE_FORMATS } from './types.js';

/** Splits "a=1,b=2" into {a: '1', b: '2'} (a bare key means "on"). */
export function parseOptionList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    out[key] = eq < 0 ? 'on' : part.slice(eq + 1).trim();
  }
  return out;
}

/** Accepts qemu-img's names: 'vpc' is VHD. */
export function parseFormatName(name: string, what: string): ImageFormat {
  const f = name.toLowerCase() === 'vpc' ? 'vhd' : name.toLowerCase();
  if (!(IMAGE_FORMATS as readonly string[]).includes(f)) throw inputError(`${what}: unknown image format "${name}"`, `use one of ${IMAGE_FORMATS.join(', ')} (vpc = vhd)`);
  return f as ImageFormat;
}

const KEYS: Record<ImageFormat, string[]> = {
  raw: [],
  qcow2: ['compat', 'cluster_size', 'compression_type', 'compression_level'],
  vhd: ['subformat', 'force_size', 'creator', 'azure'],
  vmdk: ['subformat', 'adapter_type', 'compression_level'],
  vdi: ['static'],
};

export interface EncodeSettings {
  /** `-c`: compress (qcow2 clusters; for vmdk it means streamOptimized). */
  compress?: boolean;
  /** Parsed `-o` options. */
  options?: Record<string, string>;
  /** Derives every id (VHD unique id, VMDK CID, VDI UUIDs). */
  seed: string;
  /** Unix seconds for timestamps (VHD). */
  epoch: number;
  /** Base name of the final output (the VMDK descriptor names its own file). */
  fileName: string;
  /** Worker threads for compression (default: one per core). */
  threads?: number;
}

export type FormatOptions =
  | { format: 'raw' }
  | { format: 'qcow2'; qcow2: Qcow2Options }
  | { format: 'vhd'; vhd: VhdOptions }
  | { format: 'vmdk'; vmdk: VmdkOptions }
  | { format: 'vdi'; vdi: VdiOptions };

function onOff(key: string, value: string): boolean {
  if (['on', 'true', 'yes', '1'].includes(value)) return true;
  if (['off', 'false', 'no', '0'].includes(value)) return false;
  throw inputError(`-o ${key}=${value}: expected on or off`);
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw inputError(`-o ${key}=${value}: expected one of ${allowed.join(', ')}`);
}

/** qemu's size suffixes for cluster_size: k/K = KiB, M = MiB (binary), or bytes. */
function parseClusterSize(value: string): number {
  const m = /^(\d+)\s*(k|K|KiB|M|MiB)?$/.exec(value);
  if (!m) throw inputError(`-o cluster_size=${value}: expected a number of bytes, e.g. 65536 or 64k`);
  const n = Number(m[1]) * (m[2] === undefined ? 1 : m[2].startsWith('M') ? 1048576 : 1024);
  clusterBitsOf(n);
  return n;
}

function level(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw inputError(`-o compression_level=${value}: expected 1 (fastest) to 9 (smallest)`);
  return n;
}

/** Checks `-o` keys and `-c` for `format` and builds the encoder's options. */
export function resolveFormatOptions(format: ImageFormat, s: EncodeSettings): FormatOptions {
  const o = s.options ?? {};
  const allowed = KEYS[format];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw inputError(`-o ${key}: not an option of ${format}`, allowed.length ? `${format} takes ${allowed.join(', ')}` : `${format} takes no -o options`);
    }
  }
  if (s.compress && format !== 'qcow2' && format !== 'vmdk') throw inputError(`-c: ${format} cannot hold compressed data`, 'use -O qcow2 or -O vmdk');
  switch (format) {
    case 'raw':
      return { format };
    case 'qcow2': {
      if (o['compression_type'] !== undefined && o['compression_type'] !== 'zlib') {
        throw inputError(`-o compression_type=${o['compression_type']}: only zlib is written`, 'zlib is what every qcow2 reader takes');
      }
      const compat = o['compat'] === undefined ? '1.1' : oneOf('compat', o['compat'].replace(/^v3$/, '1.1').replace(/^v2$/, '0.10'), ['0.10', '1.1'] as const);
      return {
        format,
        qcow2: {
          ...QCOW2_DEFAULTS,
          compat,
          clusterSize: o['cluster_size'] === undefined ? QCOW2_DEFAULTS.clusterSize : parseClusterSize(o['cluster_size']),
          compress: Boolean(s.compress),
          compressionLevel: o['compression_level'] === undefined ? QCOW2_DEFAULTS.compressionLevel : level(o['compression_level']),
          ...(s.threads !== undefined ? { threads: s.threads } : {}),
        },
      };
    }
    case 'vhd':
      return {
        format,
        vhd: {
          subformat: o['subformat'] === undefined ? 'dynamic' : oneOf('subformat', o['subformat'], ['dynamic', 'fixed'] as const),
          forceSize: o['force_size'] === undefined ? true : onOff('force_size', o['force_size']),
          creator: o['creator'] === undefined ? 'qemu' : oneOf('creator', o['creator'].trim(), ['qemu', 'win', 'tap'] as const),
          azure: o['azure'] === undefined ? false : onOff('azure', o['azure']),
          epoch: s.epoch,
          uniqueId: deriveBytes(s.seed, 'vhd unique id', 16),
        },
      };
    case 'vmdk': {
      const subformat: VmdkSubformat = o['subformat'] === undefined ? (s.compress ? 'streamOptimized' : 'monolithicSparse') : oneOf('subformat', o['subformat'], ['monolithicSparse', 'streamOptimized'] as const);
      if (s.compress && subformat !== 'streamOptimized') throw inputError('-c: only vmdk subformat=streamOptimized holds compressed grains', 'drop -c or use subformat=streamOptimized');
      return {
        format,
        vmdk: {
          subformat,
          adapter: o['adapter_type'] === undefined ? 'ide' : oneOf<VmdkAdapter>('adapter_type', o['adapter_type'], ['ide', 'lsilogic', 'buslogic', 'legacyESX']),
          cid: deriveUint32(s.seed, 'vmdk cid'),
          fileName: s.fileName,
          compressionLevel: o['compression_level'] === undefined ? 6 : level(o['compression_level']),
          ...(s.threads !== undefined ? { threads: s.threads } : {}),
        },
      };
    }
    case 'vdi':
      if (o['static'] !== undefined && onOff('static', o['static'])) throw inputError('-o static=on: only dynamic VDI images are written', 'drop static=on');
      return { format, vdi: { uuidImage: uuidBytes(s.seed, 'vdi image uuid'), uuidLastSnap: uuidBytes(s.seed, 'vdi last snapshot uuid') } };
  }
}

/** 16 random-looking bytes with RFC 4122 version 4 bits, derived from the seed. */
function uuidBytes(seed: string, label: string): Uint8Array {
  const b = deriveBytes(seed, label, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}
