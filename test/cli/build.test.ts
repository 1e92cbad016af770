import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseExtraSize, parsePackageList, stripTypeSuffix } from '../../src/cli/build.js';
import { tsdib } from '../helpers/cli.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('tsdib build arguments', () => {
  const tmp = useTmpDir();

  test('--image-extra-size: a bare number is MB (DIB_IMAGE_EXTRA_SIZE), else DIB size syntax', () => {
    expect(parseExtraSize('512', '--image-extra-size')).toBe(512 * 1024 * 1024);
    expect(parseExtraSize('1GiB', '--image-extra-size')).toBe(1024 ** 3);
  });

  test('-p lists: commas and repeats, as INSTALL_PACKAGES', () => {
    expect(parsePackageList(['vim,curl', 'htop'])).toEqual(['vim', 'curl', 'htop']);
    expect(parsePackageList(undefined)).toEqual([]);
  });

  test('-o NAME.qcow2 with one type drops the suffix, as DIB does', () => {
    expect(stripTypeSuffix('img.qcow2', ['qcow2'])).toBe('img');
    expect(stripTypeSuffix('img.qcow2', ['qcow2', 'raw'])).toBe('img.qcow2');
  });

  test('no element is a usage error (exit 2)', () => {
    const r = tsdib(['build', '-o', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('At least one element must be specified');
  });

  test('an unknown element is an input error and writes no image', () => {
    const dir = tmp();
    const r = tsdib(['build', '-o', 'x', 'no-such-element'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-element');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.log'))).toEqual([]);
  });

  test('DIB syntax: -o NAME then the elements; the build log names each script', () => {
    const dir = tmp();
    const r = tsdib(['build', '-o', 'demo.raw', '-t', 'raw', '--chroot', 'none', '-q', 'demo'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote demo.raw');
    expect(readdirSync(dir).sort()).toEqual(['demo.log', 'demo.raw']);
  });

  test('-x traces the scripts into the build log (DIB_DEBUG_TRACE)', () => {
    const dir = tmp();
    const r = tsdib(['build', '-x', '-o', 'demo', '-t', 'raw', '--chroot', 'none', '-q', 'demo'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const log = readFileSync(join(dir, 'demo.log'), 'utf8');
    expect(log).toMatch(/^\+ cp -R .*demo-files\/\. \.$/m);
  });
});
