/**
 * The image configuration (image-spec config.md; Docker reads the same JSON): architecture, os, the
 * runtime defaults, and rootfs.diff_ids, the sha256 of each UNCOMPRESSED layer in order. Pure: the
 * creation time comes from the caller (SOURCE_DATE_EPOCH), keys are in a fixed order, so the same
 * inputs give the same bytes and therefore the same digest.
 */
import { inputError } from '../errors.js';

export interface ImageRuntimeConfig {
  /** Defaults to Debian's PATH. */
  env?: string[];
  /** Defaults to ["/bin/sh"]. */
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
}

export interface ImageConfigInput extends ImageRuntimeConfig {
  /** OCI architecture name (GOARCH): amd64, arm64, ...; DIB's x86_64/aarch64 are accepted. */
  architecture: string;
  /** Seconds since the epoch. */
  created: number;
  diffIds: string[];
  /** What history[].created_by says. */
  createdBy?: string;
}

const DEFAULT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/** DIB's -a names and the kernel's to the GOARCH names the config uses. */
const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armhf: 'arm',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  ppc64el: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function ociArchitecture(arch: string): string {
  const name = ARCH_ALIASES[arch];
  if (!name) throw inputError(`architecture "${arch}" has no OCI name here`, `use one of ${Object.keys(ARCH_ALIASES).join(', ')}`);
  return name;
}

/** RFC 3339 in UTC without fractions, as the spec's "created" wants: 2023-11-14T22:13:20Z. */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function encodeImageConfig(input: ImageConfigInput): Uint8Array {
  const created = rfc3339(input.created);
  const runtime: Record<string, unknown> = { Env: input.env ?? DEFAULT_ENV };
  if (input.entrypoint) runtime['Entrypoint'] = input.entrypoint;
  runtime['Cmd'] = input.cmd ?? ['/bin/sh'];
  if (input.workingDir) runtime['WorkingDir'] = input.workingDir;
  if (input.user) runtime['User'] = input.user;
  if (input.labels) runtime['Labels'] = Object.fromEntries(Object.entries(input.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const config = {
    architecture: ociArchitecture(input.architecture),
    config: runtime,
    created,
    history: input.diffIds.map(() => ({ created, created_by: input.createdBy ?? 'tsdib' })),
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: input.diffIds },
  };
  return Buffer.from(JSON.stringify(config), 'utf8');
}
