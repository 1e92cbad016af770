/** pkg-map precedence and validation (dib.md §3.4); DIB's pkg-map itself is the oracle in test/cli/pkg-map.test.ts. */
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { effectiveNameMap, lookupNames, mapPackages, osFamily, parsePkgMap, releaseKeys } from '../../src/elements/pkg-map.js';

/** DIB's README example. */
const EXAMPLE = parsePkgMap(
  JSON.stringify({
    release: { fedora: { '23': { nova_package: 'foo bar' } }, centos: { '9': { boot: 'grub2-efi-x64 shim-x64' } } },
    distro: { fedora: { nova_package: 'openstack-compute' } },
    family: { redhat: { nova_package: 'openstack-nova', boot: 'grub2-efi-x64 grub2-efi-x64-modules shim-x64' }, suse: { nova_package: '' } },
    default: { nova_package: 'nova', glance_package: 'glance' },
  }),
  'example',
);

describe('precedence: default < family < distro < release', () => {
  test.each([
    ['ubuntu', undefined, 'nova'],
    ['centos', '9-stream', 'openstack-nova'],
    ['fedora', '22', 'openstack-compute'],
    ['fedora', '23', 'foo bar'],
    ['opensuse', '15.5', ''],
    ['arch', undefined, 'nova'],
  ])('%s %s → %j', (distro, release, value) => {
    expect(effectiveNameMap(EXAMPLE, distro, release).get('nova_package')).toBe(value);
  });
  test('an empty value skips the package; several names split', () => {
    expect(mapPackages(EXAMPLE, ['nova_package', 'glance_package'], { distro: 'opensuse' })).toEqual(['glance']);
    expect(mapPackages(EXAMPLE, ['nova_package'], { distro: 'fedora', release: '23' })).toEqual(['foo', 'bar']);
  });
  test('N-stream falls back to release N (DIB only knows 8-stream)', () => {
    expect(releaseKeys('9-stream')).toEqual(['9-stream', '9']);
    expect(releaseKeys('bookworm')).toEqual(['bookworm']);
    expect(mapPackages(EXAMPLE, ['boot'], { distro: 'centos', release: '9-stream' })).toEqual(['grub2-efi-x64', 'shim-x64']);
  });
  test('families', () => {
    expect(['rocky', 'almalinux', 'debian', 'ubuntu', 'opensuse', 'gentoo', 'plan9'].map(osFamily)).toEqual(['redhat', 'redhat', 'debian', 'debian', 'suse', 'gentoo', undefined]);
  });
});

describe('missing mappings', () => {
  test("an unmapped name is an error naming the map and the package (DIB's message)", () => {
    expect(() => mapPackages(EXAMPLE, ['vim'], { distro: 'debian', source: 'vm' })).toThrow('vm has no valid mapping for package vim');
  });
  test('with missingOk it passes through', () => {
    expect(mapPackages(EXAMPLE, ['vim', 'glance_package'], { distro: 'debian', missingOk: true })).toEqual(['vim', 'glance']);
    expect(lookupNames(EXAMPLE, ['vim'], 'debian')).toEqual([{ name: 'vim', value: undefined }]);
  });
  test('no map at all: error, or every name with missingOk', () => {
    expect(() => mapPackages(undefined, ['a'], { distro: 'debian', source: 'el' })).toThrow('Required pkg-map for el does not exist');
    expect(mapPackages(undefined, ['a', 'b', 'a'], { distro: 'debian', missingOk: true })).toEqual(['a', 'b']);
  });
});

describe('validation names the file and key', () => {
  const bad = (text: string) => {
    try {
      parsePkgMap(text, 'el/pkg-map');
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      return (e as TsdibError).message;
    }
    throw new Error('accepted');
  };
  test.each([
    ['{"default": {"a": 1}}', 'el/pkg-map: default.a must be a string (package names separated by spaces, "" to skip)'],
    ['{"famly": {}}', "el/pkg-map: unknown key 'famly'"],
    ['{"family": {"debian": []}}', 'el/pkg-map: family.debian must be an object of package name → names'],
    ['{"release": {"fedora": {"23": {"x": null}}}}', 'el/pkg-map: release.fedora.23.x must be a string (package names separated by spaces, "" to skip)'],
    ['[1]', 'el/pkg-map: a pkg-map must be a JSON object'],
  ])('%s', (text, message) => expect(bad(text)).toBe(message));
  test('bad JSON', () => expect(bad('{')).toMatch(/^Unable to parse el\/pkg-map: /));
});
