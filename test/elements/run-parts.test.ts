/**
 * dib-run-parts' name rule and order. Oracles: GNU `LC_ALL=C sort -n` (what dib-run-parts calls) and DIB's
 * own dib-run-parts --list on a real directory.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compareRunParts, isEnvironmentFileName, isRunnableScriptName, sortRunParts } from '../../src/elements/run-parts.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { DIB_DIR, haveDib } from './helpers.js';

const tmp = useTmpDir();

/** Names that exercise every branch of `sort -n`: no number, leading zeros, 100 after 99, negatives, ties. */
const NAMES = ['00-y', 'foo', '01-x', '5-a', '10-a', '10-b', '99-z', '100-q', '-3-neg', '-', '0-zero', '007', '7', 'A', 'a', '_x', '10', '010-c', '2-B', '2-a', '1000000000000000000001-big', '999999999999999999999-big'];

describe('name rule', () => {
  test('scripts: [0-9A-Za-z_-]+ only, so a dot excludes a file', () => {
    for (const ok of ['10-foo', '99_bar', 'x', '-']) expect(isRunnableScriptName(ok)).toBe(true);
    for (const bad of ['10-foo.sh', 'README.rst', 'a b', '', 'é']) expect(isRunnableScriptName(bad)).toBe(false);
  });
  test('environment.d: dots allowed', () => {
    expect(isEnvironmentFileName('10-foo.bash')).toBe(true);
    expect(isEnvironmentFileName('10 foo')).toBe(false);
  });
});

describe('order', () => {
  test("DIB's verified example", () => {
    expect(sortRunParts(['100-q', '99-z', '10-b', '10-a', '5-a', '01-x', 'foo', '00-y'])).toEqual(['00-y', 'foo', '01-x', '5-a', '10-a', '10-b', '99-z', '100-q']);
  });
  test('comparator is a total order consistent with itself', () => {
    for (const a of NAMES) {
      expect(compareRunParts(a, a)).toBe(0);
      for (const b of NAMES) if (a !== b) expect(Math.sign(compareRunParts(a, b))).toBe(-Math.sign(compareRunParts(b, a)));
    }
  });
});

describe.runIf(haveTools('sort'))('oracle: GNU sort -n in the C locale', () => {
  test('same order as LC_ALL=C sort -n', () => {
    const r = runTool('sort', ['-n'], { input: `${NAMES.join('\n')}\n`, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    expect(r.status).toBe(0);
    expect(sortRunParts(NAMES)).toEqual(r.stdout.trimEnd().split('\n'));
  });
});

describe.runIf(haveDib())("oracle: DIB's dib-run-parts --list", () => {
  test('same scripts, same order, same exclusions', () => {
    const dir = tmp();
    const files = [...NAMES.filter((n) => n !== '-' && !n.startsWith('-')), '10-foo.sh', 'README.rst', '20-noexec'];
    for (const f of files) {
      writeFileSync(join(dir, f), '#!/bin/sh\n');
      chmodSync(join(dir, f), f === '20-noexec' ? 0o644 : 0o755);
    }
    const r = spawnSync('bash', [join(DIB_DIR, 'lib/dib-run-parts'), '--list', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const dib = r.stdout.trim().split('\n').map((l) => basename(l));
    const mine = sortRunParts(files.filter((f) => isRunnableScriptName(f) && f !== '20-noexec'));
    expect(mine).toEqual(dib);
    expect(dib).not.toContain('10-foo.sh');
  });
});
