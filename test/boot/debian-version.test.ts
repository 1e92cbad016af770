import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { compareDebianVersions } from '../../src/boot/debian-version.js';
import { haveTools } from '../helpers/oracles.js';

const PAIRS: [string, string][] = [
  ['6.1.0-9-amd64', '6.1.0-13-amd64'],
  ['6.5~rc1', '6.5'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['5.10.0-28-amd64', '6.1.0-9-amd64'],
  ['6.1.0-13-amd64', '6.1.0-13-cloud-amd64'],
  ['1.007', '1.8'],
  ['1.0~~', '1.0~'],
  ['1.2', '1.2'],
];

test('orders as dpkg does on known pairs', () => {
  expect(compareDebianVersions('6.1.0-9-amd64', '6.1.0-13-amd64')).toBeLessThan(0);
  expect(compareDebianVersions('6.5~rc1', '6.5')).toBeLessThan(0);
  expect(compareDebianVersions('1.0a', '1.0')).toBeGreaterThan(0);
  expect(compareDebianVersions('1.007', '1.7')).toBe(0);
});

test.runIf(haveTools('dpkg'))('agrees with dpkg --compare-versions (oracle) on every pair', () => {
  for (const [a, b] of PAIRS) {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const ours = Math.sign(compareDebianVersions(x, y));
      const lt = (() => {
        try {
          execFileSync('dpkg', ['--compare-versions', x, 'lt', y]);
          return true;
        } catch {
          return false;
        }
      })();
      const eq = (() => {
        try {
          execFileSync('dpkg', ['--compare-versions', x, 'eq', y]);
          return true;
        } catch {
          return false;
        }
      })();
      expect([x, y, ours]).toEqual([x, y, lt ? -1 : eq ? 0 : 1]);
    }
  }
});
