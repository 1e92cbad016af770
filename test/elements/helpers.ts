/** Shared by the element tests: build element trees on disk, and run DIB's own tools as the oracle. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { haveTools } from '../helpers/oracles.js';

export interface ElementSpec {
  deps?: string[];
  provides?: string[];
  /** Relative path → content; names under a phase dir are made executable unless they end in '.noexec'. */
  files?: Record<string, string>;
}

/** Writes elements into `root` (created if needed), returns root. */
export function makeElements(root: string, elements: Record<string, ElementSpec>): string {
  mkdirSync(root, { recursive: true });
  for (const [name, spec] of Object.entries(elements)) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    // DIB's own test helper writes both files, joined with "\n" and no trailing newline.
    writeFileSync(join(dir, 'element-deps'), (spec.deps ?? []).join('\n'));
    writeFileSync(join(dir, 'element-provides'), (spec.provides ?? []).join('\n'));
    for (const [rel, content] of Object.entries(spec.files ?? {})) {
      const noexec = rel.endsWith('.noexec');
      const path = join(dir, noexec ? rel.slice(0, -'.noexec'.length) : rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      const inPhaseDir = /\.d\//.test(rel) && !rel.startsWith('environment.d/');
      chmodSync(path, inPhaseDir && !noexec ? 0o755 : 0o644);
    }
  }
  return root;
}

/** Debian's python3-diskimage-builder: DIB's real code, run with the system python that has it. */
export const DIB_DIR = '/usr/lib/python3/dist-packages/diskimage_builder';
const SYSTEM_PYTHON = '/usr/bin/python3';

/** True when DIB is installed (its disk-image-create is on PATH); see haveTools for CI behaviour. */
export function haveDib(): boolean {
  return haveTools('disk-image-create') && existsSync(join(DIB_DIR, 'element_dependencies.py'));
}

export interface DibRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runDibPython(script: string, args: string[], env: NodeJS.ProcessEnv = {}): DibRun {
  const r = spawnSync(SYSTEM_PYTHON, [script, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** DIB's element-info: the expanded element names (a set: DIB's order is random). */
export function dibElementInfo(elementsPath: string, names: string[]): { ok: boolean; names: string[]; stderr: string } {
  const r = runDibPython(join(DIB_DIR, 'lib/element-info.py'), names, { ELEMENTS_PATH: elementsPath });
  return { ok: r.status === 0, names: r.stdout.trim().split(/\s+/).filter(Boolean).sort(), stderr: r.stderr };
}
