/**
 * The environment the driver gives each phase's scripts (reference/dib.md §1.6), as a pure function. The
 * environment.d files of the HookPlan are sourced on top of this before every phase.
 *
 * Differences from DIB, on purpose:
 * - TARGET_ROOT is also set in block-device.d, where DIB's docs promise it but its driver never sets it.
 * - In chroot phases TMP_HOOKS_PATH is /tmp/in_target.d, where the hooks really are; DIB exports the host
 *   path there, which means nothing inside the chroot.
 */
import type { Expansion } from './expand.js';
import { imageElementVariables } from './expand.js';
import { IN_TARGET_HOOKS, type PhaseDefinition } from './phases.js';

export interface BuildContext {
  /** DIB architecture name (amd64, arm64, ...). */
  readonly arch: string;
  /** -o NAME (DIB default: image). */
  readonly imageName: string;
  readonly expansion: Expansion;
  readonly searchPath: readonly string[];
  /** Host directories of the build. */
  readonly buildDir: string;
  readonly imageDir: string;
  readonly hooksDir: string;
  readonly mountDir: string;
  /** --install-type (DIB default: source). */
  readonly installType?: string;
  /** -x count. */
  readonly debugTrace?: number;
  /** The user's environment: every DIB_* variable in it passes through (DIB exports them all). */
  readonly userEnv?: NodeJS.ProcessEnv;
}

const PHASES_WITH_TARGET_ROOT = new Set(['root.d', 'block-device.d', 'cleanup.d']);

export function phaseEnvironment(phase: PhaseDefinition, ctx: BuildContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.userEnv ?? {})) if (k.startsWith('DIB_') && v !== undefined) env[k] = v;
  const inside = phase.where === 'chroot';
  Object.assign(env, imageElementVariables(ctx.expansion), {
    LC_ALL: 'C',
    ARCH: ctx.arch,
    IMAGE_NAME: ctx.imageName,
    ELEMENTS_PATH: ctx.searchPath.join(':'),
    TMP_BUILD_DIR: ctx.buildDir,
    TMP_IMAGE_DIR: ctx.imageDir,
    TMP_HOOKS_PATH: inside ? IN_TARGET_HOOKS : ctx.hooksDir,
    TMP_MOUNT_PATH: ctx.mountDir,
    DIB_DEFAULT_INSTALLTYPE: ctx.installType ?? env['DIB_DEFAULT_INSTALLTYPE'] ?? 'source',
    DIB_DEBUG_TRACE: String(ctx.debugTrace ?? 0),
  });
  if (PHASES_WITH_TARGET_ROOT.has(phase.dir)) env['TARGET_ROOT'] = ctx.mountDir;
  if (inside) env['HOME'] = '/root';
  return env;
}
