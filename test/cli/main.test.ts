import { describe, expect, test } from 'vitest';
import { tsdib } from '../helpers/cli.js';

describe('CLI contract', () => {
  test('--help lists every command of DESIGN.md §4', () => {
    const r = tsdib(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['assemble', 'mkfs', 'convert', 'inspect', 'build', 'elements', 'pkg-map']) expect(r.stdout).toContain(`tsdib ${c}`);
  });
  test('--version prints the package version', () => {
    const r = tsdib(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  test('an unknown command is a usage error: exit 2', () => {
    const r = tsdib(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: frobnicate/);
  });
  test('no command is a usage error: exit 2', () => {
    expect(tsdib([]).status).toBe(2);
  });
});
