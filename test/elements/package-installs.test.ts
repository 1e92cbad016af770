/**
 * package-installs: DIB's own cases (elements/package-installs/tests/test_package_squash.py, dib.md §3.5) as
 * tests of ours, the DIB bugs we fix, and DIB's package-installs-squash as the oracle on real element trees.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { discoverElements } from '../../src/elements/discovery.js';
import {
  loadPackageInstalls,
  packageActions,
  packageRulesFromData,
  parsePackageInstalls,
  squashPackageInstalls,
  type Environment,
} from '../../src/elements/package-installs.js';
import { parsePkgMap } from '../../src/elements/pkg-map.js';
import { useTmpDir } from '../helpers/tmp.js';
import { DIB_DIR, haveDib, makeElements, runDibPython } from './helpers.js';

const tmp = useTmpDir();

function squash(objs: unknown, env: Environment = {}, element = 'test_element') {
  return squashPackageInstalls([{ element, rules: packageRulesFromData(objs, 'test') }], env);
}

function refused(f: () => unknown): TsdibError {
  try {
    f();
  } catch (e) {
    if (e instanceof TsdibError) return e;
    throw e;
  }
  throw new Error('expected a TsdibError');
}

describe("DIB's package-installs cases (test_package_squash.py)", () => {
  test('simple', () => {
    expect(squash({ test_package: '' })).toEqual({ 'install.d': { install: [['test_package', 'test_element']], uninstall: [] } });
  });
  test('arch and not-arch on arm64', () => {
    const r = squash({ test_package: '', test_arm64_package: { arch: 'arm64' }, do_not_install: { 'not-arch': 'arm64' } }, { ARCH: 'arm64' });
    expect(r['install.d']?.install).toEqual([['test_package', 'test_element'], ['test_arm64_package', 'test_element']]);
  });
  const kernelObjs = {
    'linux-image-generic': [
      { 'not-arch': 'arm64', when: 'DIB_UBUNTU_KERNEL = linux-image-generic' },
      { arch: 'arm64', when: ['DIB_RELEASE != xenial', 'DIB_UBUNTU_KERNEL = linux-image-generic'] },
    ],
    'linux-generic-hwe-16.04': { arch: 'arm64', when: ['DIB_RELEASE = xenial', 'DIB_UBUNTU_KERNEL = linux-image-generic'] },
  };
  for (const [arch, release, expected] of [
    ['x86_64', 'focal', 'linux-image-generic'],
    ['arm64', 'xenial', 'linux-generic-hwe-16.04'],
    ['arm64', 'focal', 'linux-image-generic'],
  ] as const) {
    test(`list of alternatives: ${arch}/${release} → ${expected}`, () => {
      const r = squash(kernelObjs, { ARCH: arch, DIB_RELEASE: release, DIB_UBUNTU_KERNEL: 'linux-image-generic' });
      expect(r['install.d']?.install).toEqual([[expected, 'test_element']]);
    });
  }
  test('when = and !=', () => {
    const r = squash(
      { skipped_package: { when: 'DIB_FEATURE=0' }, not_skipped_package: { when: 'DIB_FEATURE=1' }, not_equal_package: { when: 'DIB_FEATURE!=0' }, not_equal_skipped_package: { when: 'DIB_FEATURE!=1' } },
      { DIB_FEATURE: '1' },
    );
    expect(r['install.d']?.install).toEqual([['not_skipped_package', 'test_element'], ['not_equal_package', 'test_element']]);
  });
  test('when on an unset variable is an error naming it', () => {
    const e = refused(() => squash({ package: { when: 'MISSING_VAR=1' } }));
    expect(e.message).toBe("element 'test_element': package 'package': The variable <MISSING_VAR> is not set");
  });
  test('when list: all must hold', () => {
    const r = squash(
      { not_skipped_package: { when: ['DIB_A_FEATURE=1', 'DIB_B_FEATURE=1', 'DIB_C_FEATURE=1'] }, skipped_package: { when: ['DIB_A_FEATURE=1', 'DIB_B_FEATURE=0', 'DIB_C_FEATURE=1'] } },
      { DIB_A_FEATURE: '1', DIB_B_FEATURE: '1', DIB_C_FEATURE: '1' },
    );
    expect(r['install.d']?.install).toEqual([['not_skipped_package', 'test_element']]);
  });
  test('build-only: installed and uninstalled in its phase', () => {
    expect(squash({ 'libssl-dev': { 'build-only': true } })).toEqual({ 'install.d': { install: [['libssl-dev', 'test_element']], uninstall: [['libssl-dev', 'test_element']] } });
  });
  test('install wins over build-only, in both orders', () => {
    const a = { element: 'a', rules: packageRulesFromData({ gcc: { 'build-only': true } }, 'a') };
    const b = { element: 'b', rules: packageRulesFromData({ gcc: null }, 'b') };
    for (const order of [[a, b], [b, a]]) {
      const r = squashPackageInstalls(order, {});
      expect(r['install.d']?.uninstall).toEqual([]);
      expect(r['install.d']?.install.map(([p]) => p)).toEqual(['gcc', 'gcc']);
    }
  });
  test('install-types: DIB_INSTALLTYPE_<element> beats DIB_DEFAULT_INSTALLTYPE', () => {
    const objs = { src: { installtype: 'source' }, pkg: { installtype: 'package' } };
    expect(squash(objs, {}, 'my-el')['install.d']?.install.map(([p]) => p)).toEqual(['src']);
    expect(squash(objs, { DIB_DEFAULT_INSTALLTYPE: 'package' }, 'my-el')['install.d']?.install.map(([p]) => p)).toEqual(['pkg']);
    expect(squash(objs, { DIB_DEFAULT_INSTALLTYPE: 'package', DIB_INSTALLTYPE_my_el: 'source' }, 'my-el')['install.d']?.install.map(([p]) => p)).toEqual(['src']);
  });
  test('dib_python_version compares with DIB_PYTHON_VERSION', () => {
    expect(squash({ p2: { dib_python_version: 2 }, p3: { dib_python_version: 3 } }, { DIB_PYTHON_VERSION: '3' })['install.d']?.install).toEqual([['p3', 'test_element']]);
  });
  test('phases: one list per phase, DIB phase order', () => {
    const r = squash({ late: { phase: 'post-install.d', uninstall: true }, early: { phase: 'pre-install.d' } });
    expect(Object.keys(r)).toEqual(['pre-install.d', 'post-install.d']);
    expect(r['post-install.d']).toEqual({ install: [], uninstall: [['late', 'test_element']] });
  });
});

describe('DIB bugs fixed', () => {
  test('uninstall: false installs (DIB uninstalls on presence)', () => {
    expect(squash({ keep: { uninstall: false }, drop: { uninstall: true }, bare: { uninstall: null } })['install.d']).toEqual({
      install: [['keep', 'test_element']],
      uninstall: [['drop', 'test_element'], ['bare', 'test_element']],
    });
  });
  test('whitespace in arch lists is trimmed', () => {
    expect(squash({ p: { arch: 'ppc64, ppc64le' } }, { ARCH: 'ppc64le' })['install.d']?.install).toEqual([['p', 'test_element']]);
    expect(squash({ p: { 'not-arch': 'amd64 , arm64' } }, { ARCH: 'arm64' })).toEqual({});
  });
  test('an unknown phase is an error naming file, package and value', () => {
    expect(refused(() => parsePackageInstalls('foo:\n  phase: instal.d\n', 'el/package-installs.yaml')).message).toBe(
      'el/package-installs.yaml: package \'foo\': unknown phase "instal.d"',
    );
  });
  test('an unknown key is an error', () => {
    expect(refused(() => parsePackageInstalls('foo:\n  uninstal: true\n', 'f.yaml')).message).toBe("f.yaml: package 'foo': unknown key 'uninstal'");
  });
  test('arch and not-arch together: DIB\'s message, at parse time', () => {
    expect(refused(() => parsePackageInstalls('{"p": {"arch": "a", "not-arch": "b"}}', 'f.json')).message).toMatch(/package-installs configuration error: arch and not-arch given for package \[p\]/);
  });
  test('malformed when: DIB\'s message', () => {
    expect(refused(() => parsePackageInstalls('p:\n  when: "what?"\n', 'f.yaml')).message).toBe("f.yaml: package 'p': Malformed when line: <what?>");
  });
  test('bad syntax names the file', () => {
    expect(refused(() => parsePackageInstalls('a: [', 'x/package-installs.yaml')).message).toMatch(/^x\/package-installs.yaml: neither JSON nor YAML/);
  });
});

describe('mapped through pkg-map', () => {
  test('per element, missing names pass through, empty values skip, duplicates once', () => {
    const squashed = squashPackageInstalls(
      [
        { element: 'a', rules: packageRulesFromData({ grub: null, vim: null, nothing: null }, 'a') },
        { element: 'b', rules: packageRulesFromData({ grub: null, 'build-tool': { 'build-only': true } }, 'b') },
      ],
      {},
    );
    const maps = new Map([
      ['a', parsePkgMap('{"family": {"debian": {"grub": "grub-pc grub2-common", "nothing": ""}}}', 'a/pkg-map')],
      ['b', undefined],
    ]);
    expect(packageActions(squashed, 'install.d', maps, { distro: 'debian' })).toEqual({ install: ['grub-pc', 'grub2-common', 'vim', 'grub', 'build-tool'], uninstall: ['build-tool'] });
    expect(packageActions(squashed, 'post-install.d', maps, { distro: 'debian' })).toEqual({ install: [], uninstall: [] });
  });
});

describe.runIf(haveDib())("oracle: DIB's package-installs-squash on element trees", () => {
  /** Cases where DIB's behaviour is right: both must produce the same JSON (order of entries included). */
  const files: Record<string, string> = {
    'pkg-a': 'libxml2:\ngrub2:\n  phase: pre-install.d\nnetworkmanager:\n  uninstall: true\nlibssl-dev:\n  build-only: true\n',
    'pkg-b': JSON.stringify({ 'linux-image-generic': [{ 'not-arch': 'arm64', when: 'DIB_KERNEL = generic' }, { arch: 'arm64', when: ['DIB_RELEASE != xenial', 'DIB_KERNEL = generic'] }], curl: { phase: 'post-install.d' }, 'only-src': { installtype: 'source' }, 'only-pkg': { installtype: 'package' } }),
    'pkg-c': 'wget:\n  arch: amd64\nbusybox:\n  not-arch: amd64\npy2:\n  dib_python_version: 2\npy3:\n  dib_python_version: 3\n',
  };
  for (const env of [
    { ARCH: 'amd64', DIB_KERNEL: 'generic', DIB_RELEASE: 'focal', DIB_PYTHON_VERSION: '3' },
    { ARCH: 'arm64', DIB_KERNEL: 'generic', DIB_RELEASE: 'xenial', DIB_PYTHON_VERSION: '2', DIB_INSTALLTYPE_pkg_b: 'package' },
  ]) {
    test(`same squashed JSON for ${env.ARCH}/${env.DIB_RELEASE}`, () => {
      const root = makeElements(tmp(), {
        'pkg-a': { files: { 'package-installs.yaml': files['pkg-a'] as string } },
        'pkg-b': { files: { 'package-installs.json': files['pkg-b'] as string } },
        'pkg-c': { files: { 'package-installs.yaml': files['pkg-c'] as string } },
      });
      const out = join(tmp(), 'package-installs.json');
      const r = runDibPython(join(DIB_DIR, 'elements/package-installs/bin/package-installs-squash'), ['--elements=pkg-a pkg-b pkg-c', `--path=${root}`, out], env);
      expect(r.status, r.stderr).toBe(0);
      const dib = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
      const catalog = discoverElements([root]);
      const mine = squashPackageInstalls(['pkg-a', 'pkg-b', 'pkg-c'].map((n) => loadPackageInstalls(catalog.elements.get(n) as { name: string; path: string })), env);
      // DIB omits an empty list; we always give both. Compare what is there.
      const normalised = Object.fromEntries(Object.entries(mine).map(([phase, lists]) => [phase, Object.fromEntries(Object.entries(lists).filter(([, l]) => (l as unknown[]).length > 0))]));
      expect(normalised).toEqual(dib);
      expect(Object.keys(normalised).length).toBeGreaterThan(1);
    });
  }
  test('where DIB is wrong, it really is (so our differing tests are about real bugs)', () => {
    const root = makeElements(tmp(), { el: { files: { 'package-installs.yaml': 'keep:\n  uninstall: false\nspaced:\n  arch: "ppc64, ppc64le"\ntypo:\n  phase: instal.d\n' } } });
    const out = join(tmp(), 'o.json');
    const r = runDibPython(join(DIB_DIR, 'elements/package-installs/bin/package-installs-squash'), ['--elements=el', `--path=${root}`, out], { ARCH: 'ppc64le' });
    expect(r.status).toBe(0);
    const dib = JSON.parse(readFileSync(out, 'utf8'));
    expect(dib['install.d']).toEqual({ uninstall: [['keep', 'el']] });
    expect(dib['instal.d']).toEqual({ install: [['typo', 'el']] });
    writeFileSync(join(root, 'el', 'package-installs.yaml'), 'keep:\n  uninstall: false\nspaced:\n  arch: "ppc64, ppc64le"\n');
    const mine = squashPackageInstalls([loadPackageInstalls({ name: 'el', path: join(root, 'el') })], { ARCH: 'ppc64le' });
    expect(mine['install.d']).toEqual({ install: [['keep', 'el'], ['spaced', 'el']], uninstall: [] });
  });
});
