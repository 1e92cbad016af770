/**
 * A real Debian rootfs for end-to-end tests, made rootless by `mmdebstrap --mode=unshare` and cached
 * across test files and runs on this machine (keyed by its recipe), so a suite builds each once.
 * The recipe adds what tests need to see: an ACL'd /var/log/journal and a file with a
 * security.capability xattr; minbase already has setuid binaries, non-root groups and /dev nodes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from './oracles.js';

export interface DebianRecipe {
  suite?: string;
  variant?: 'minbase' | 'essential' | 'apt' | 'required' | 'important' | 'standard';
  include?: string[];
  customize?: string[];
}

const BASE_INCLUDE = ['acl', 'passwd', 'libcap2-bin'];
const BASE_CUSTOMIZE = [
  'mkdir -p "$1/var/log/journal" && chroot "$1" setfacl -m g:adm:rx -m d:g:adm:rx /var/log/journal',
  'chroot "$1" setcap cap_setuid,cap_net_raw+ep /usr/bin/newgrp',
];

export const CACHE_DIR = process.env['TSDIB_TEST_CACHE'] ?? join(tmpdir(), 'tsdib-test-cache');

/** Path of the rootfs tarball for `recipe`, building it (once, under a lock) if needed. */
export function debianRootfs(recipe: DebianRecipe = {}): string {
  const suite = recipe.suite ?? 'bookworm';
  const variant = recipe.variant ?? 'minbase';
  const include = [...BASE_INCLUDE, ...(recipe.include ?? [])].sort();
  const customize = [...BASE_CUSTOMIZE, ...(recipe.customize ?? [])];
  const key = createHash('sha256').update(JSON.stringify({ suite, variant, include, customize })).digest('hex').slice(0, 16);
  mkdirSync(CACHE_DIR, { recursive: true });
  const out = join(CACHE_DIR, `debian-${suite}-${variant}-${key}.tar`);
  if (existsSync(out)) return out;
  const lock = `${out}.lock`;
  waitForLock(lock);
  try {
    if (existsSync(out)) return out;
    const mmdebstrap = findTool('mmdebstrap');
    if (!mmdebstrap) throw new Error('mmdebstrap not installed');
    // mmdebstrap picks its output format from the extension, so the partial name must end in .tar.
    const tmp = join(CACHE_DIR, `partial-${key}.tar`);
    const args = ['--mode=unshare', `--variant=${variant}`, `--include=${include.join(',')}`];
    for (const hook of customize) args.push(`--customize-hook=${hook}`);
    args.push(suite, tmp);
    const r = spawnSync(mmdebstrap, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) {
      rmSync(tmp, { force: true });
      throw new Error(`mmdebstrap failed (${r.status}): ${r.stderr.slice(-2000)}`);
    }
    renameSync(tmp, out);
    return out;
  } finally {
    rmdirSync(lock);
  }
}

/** A lock directory: mkdir is atomic. Waits up to 15 minutes for another builder. */
function waitForLock(lock: string): void {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if stale)`);
      spawnSync('sleep', ['2']);
    }
  }
}
