/**
 * Reading FAT images with tools nobody here wrote: fsck.vfat (dosfstools) and mtools. mtools reads
 * FAT times as local time, so TZ=UTC; MTOOLS_SKIP_CHECK skips its CHS plausibility checks (our
 * images have no CHS geometry to speak of).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runTool, type RunResult } from '../../helpers/oracles.js';

export const FAT_ORACLES = ['fsck.vfat', 'mdir', 'mcopy', 'minfo', 'mtype'] as const;

const env = { ...process.env, TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' };

export function mtools(tool: string, args: string[]): RunResult {
  return runTool(tool, args, { env });
}

/** `fsck.vfat -n` finds nothing: exit 0 and only its banner and the summary line. Returns the summary. */
export function expectFsckClean(image: string): string {
  const r = runTool('fsck.vfat', ['-n', image]);
  const lines = r.stdout.trim().split('\n');
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toMatchObject({ status: 0, stderr: '' });
  expect(lines).toHaveLength(2);
  return lines[1]!;
}

/** Copies every file out with `mcopy -s -m` and returns { path: contents } plus the directory list. */
export function extractAll(image: string, into: string): { files: Map<string, Buffer>; dirs: string[]; root: string } {
  const root = join(into, 'extracted');
  mkdirSync(root);
  const r = mtools('mcopy', ['-s', '-n', '-m', '-i', image, '::*', `${root}/`]);
  // mcopy of an empty volume has nothing to match '*' and says so; anything else is a failure.
  if (r.status !== 0) expect(r.stderr).toMatch(/not found|No match/i);
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const path = `${rel}/${name}`;
      if (statSync(abs).isDirectory()) {
        dirs.push(path);
        walk(abs, path);
      } else files.set(path, readFileSync(abs));
    }
  };
  walk(root, '');
  return { files, dirs: dirs.sort(), root };
}

/** `minfo` fields we check: type, serial, label, cluster size, reserved sectors, hidden sectors. */
export function minfo(image: string): { type: string; serial: string; label: string; clusterSectors: number; reserved: number; hidden: number; fatSectors: number } {
  const r = mtools('minfo', ['-i', image, '::']);
  expect(r.status).toBe(0);
  const get = (re: RegExp): string => re.exec(r.stdout)?.[1] ?? '';
  return {
    type: get(/disk type="([^"]*)"/).trim(),
    serial: get(/serial number: ([0-9A-F]+)/),
    label: get(/disk label="([^"]*)"/),
    clusterSectors: Number(get(/cluster size: (\d+)/)),
    reserved: Number(get(/reserved \(boot\) sectors: (\d+)/)),
    hidden: Number(get(/hidden sectors: (\d+)/)),
    fatSectors: Number(get(/Big fatlen=(\d+)/) || get(/sectors per fat: (\d+)/)),
  };
}
