/**
 * Element expansion. DIB's own unit cases (diskimage_builder/tests/test_elementdeps.py, dib.md §2.4) as
 * tests of ours, each also run through DIB's element-info (Debian's python3-diskimage-builder) as the
 * independent oracle: same set of elements, or both refusing.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { discoverElements } from '../../src/elements/discovery.js';
import { expandElements, imageElementVariables, requestedElements } from '../../src/elements/expand.js';
import { elementsSearchPath } from '../../src/elements/search-path.js';
import { useTmpDir } from '../helpers/tmp.js';
import { dibElementInfo, haveDib, makeElements } from './helpers.js';

const tmp = useTmpDir();

/** DIB's test tree (test_elementdeps.py setUp). */
function dibTestTree(): { base: string; override: string; path: string } {
  const root = tmp();
  const base = makeElements(join(root, 'elements'), {
    'requires-foo': { deps: ['foo'] },
    foo: { provides: ['operating-system'] },
    'requires-requires-foo': { deps: ['requires-foo'] },
    self: { deps: ['self'] },
    provides_virtual: { provides: ['virtual'] },
    also_provides_virtual: { provides: ['virtual'] },
    requires_virtual: { deps: ['virtual'], provides: ['operating-system'] },
    virtual: { deps: ['extra_dependency'] },
    extra_dependency: {},
    circular1: { deps: ['circular2'], provides: ['operating-system'] },
    circular2: { deps: ['circular1'] },
    provides_new_virtual: { provides: ['new_virtual', 'operating-system'] },
    requires_new_virtual: { deps: ['new_virtual'] },
    override_element: {},
  });
  const override = makeElements(join(root, 'element-override'), { override_element: {} });
  return { base, override, path: `${override}:${base}` };
}

let tree: ReturnType<typeof dibTestTree>;
beforeEach(() => {
  tree = dibTestTree();
});

/** Our expansion with DIB's element-info conventions: no shipped elements, no implicit base. */
function ours(names: string[], path = tree.path) {
  const catalog = discoverElements(elementsSearchPath(path, {}, null));
  return expandElements(names, catalog, { skipBase: true });
}

function expectRefused(names: string[], message: RegExp): void {
  let error: unknown;
  try {
    ours(names);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TsdibError);
  expect((error as TsdibError).exitCode).toBe(2);
  expect((error as TsdibError).message).toMatch(message);
}

describe("DIB's element-expansion cases (test_elementdeps.py)", () => {
  test('non-transitive deps', () => {
    const r = ours(['requires-foo']);
    expect(r.elements.map((e) => [e.name, e.path])).toEqual([
      ['requires-foo', join(tree.base, 'requires-foo')],
      ['foo', join(tree.base, 'foo')],
    ]);
  });
  test('missing element: DIB\'s message', () => expectRefused(['fake'], /^Element 'fake' not found$/));
  test('invalid ELEMENTS_PATH entry: DIB\'s message', () => {
    expect(() => ours(['fake'], `${tree.path}:/not/a/dir`)).toThrow("ELEMENTS_PATH entry '/not/a/dir' is not a directory");
  });
  test('transitive deps, in breadth-first order', () => {
    expect(ours(['requires-requires-foo']).elements.map((e) => e.name)).toEqual(['requires-requires-foo', 'requires-foo', 'foo']);
  });
  test('no deps', () => expect(ours(['foo']).elements.map((e) => e.name)).toEqual(['foo']));
  test('self dependency', () => expect(ours(['self', 'foo']).elements.map((e) => e.name)).toEqual(['self', 'foo']));
  test('circular deps', () => expect(ours(['circular1']).elements.map((e) => e.name)).toEqual(['circular1', 'circular2']));
  test('provide: a provider satisfies a real element of the same name', () => {
    const r = ours(['provides_virtual', 'requires_virtual']);
    expect(r.elements.map((e) => e.name)).toEqual(['provides_virtual', 'requires_virtual']);
    expect(r.providedBy.get('virtual')).toBe('provides_virtual');
  });
  test('provide, providers after their users: still the provider, not the real element', () => {
    expect(ours(['requires_virtual', 'provides_virtual']).elements.map((e) => e.name)).toEqual(['requires_virtual', 'provides_virtual']);
  });
  test('provide conflict: a requested element that another provides', () => {
    expectRefused(['virtual', 'provides_virtual'], /already provided by another element: virtual : already provided by \['provides_virtual'\]/);
  });
  test('virtual ordering', () => {
    expect(ours(['requires_new_virtual', 'provides_new_virtual']).elements.map((e) => e.name)).toEqual(['requires_new_virtual', 'provides_new_virtual']);
  });
  test("two elements provide the same name: DIB's message", () => {
    expectRefused(['provides_virtual', 'also_provides_virtual'], /^virtual: already provided by \['provides_virtual'\]$/);
  });
  test("no operating-system element: DIB's message", () => expectRefused(['provides_virtual'], /^Please include an operating system element$/));
  test('operating-system passed as an element', () => {
    expectRefused(['circular1', 'operating-system'], /operating-system : already provided by \['circular1'\]/);
    expectRefused(['operating-system', 'circular1'], /operating-system : already provided by \['circular1'\]/);
  });
  test('override: earlier ELEMENTS_PATH entries win', () => {
    const r = ours(['override_element', 'foo']);
    expect(r.elements.find((e) => e.name === 'override_element')?.path).toBe(join(tree.override, 'override_element'));
    const catalog = discoverElements([tree.override, tree.base]);
    expect(catalog.overrides).toEqual([{ name: 'override_element', winner: join(tree.override, 'override_element'), hidden: join(tree.base, 'override_element') }]);
  });
  test('output sanity: IMAGE_ELEMENT and IMAGE_ELEMENT_YAML', () => {
    const v = imageElementVariables(ours(['foo', 'requires-foo']));
    expect(v.IMAGE_ELEMENT).toBe('foo requires-foo');
    expect(v.IMAGE_ELEMENT_YAML).toBe(`foo: ${join(tree.base, 'foo')}\nrequires-foo: ${join(tree.base, 'requires-foo')}\n`);
  });
  test('ELEMENTS_PATH unset: the shipped elements are searched (DIB raises instead)', () => {
    expect(elementsSearchPath(undefined, {}, '/shipped')).toEqual(['/shipped']);
    expect(elementsSearchPath(undefined, { ELEMENTS_PATH: 'a::b:' }, '/shipped')).toEqual(['a', 'b', '/shipped']);
    expect(elementsSearchPath('c', { ELEMENTS_PATH: 'a' }, '/shipped')).toEqual(['c', '/shipped']);
  });
});

describe('deterministic and fixed where DIB is not', () => {
  test('the same request gives the same order every time', () => {
    const first = ours(['requires-requires-foo', 'self', 'override_element']);
    for (let i = 0; i < 5; i++) expect(ours(['requires-requires-foo', 'self', 'override_element']).elements).toEqual(first.elements);
  });
  test('base is prepended unless -n, once', () => {
    expect(requestedElements(['a', 'base', 'b'])).toEqual(['base', 'a', 'b']);
    expect(requestedElements(['a'], true)).toEqual(['a']);
  });
  test('vm reached through a dependency gets the default block-device element (DIB fails)', () => {
    const path = makeElements(tmp(), {
      base: {},
      os: { provides: ['operating-system'] },
      vm: { deps: ['block-device', 'bootloader'] },
      bootloader: {},
      'block-device-mbr': { provides: ['block-device'] },
      'block-device-efi': { provides: ['block-device'] },
      'block-device-gpt': { provides: ['block-device'] },
      'my-image': { deps: ['vm'] },
    });
    const catalog = discoverElements([path]);
    const r = expandElements(['os', 'my-image'], catalog);
    expect(r.elements.map((e) => e.name)).toEqual(['base', 'os', 'my-image', 'vm', 'bootloader', 'block-device-mbr']);
    expect(r.notes).toEqual(['no element provides block-device: using block-device-mbr']);
    expect(expandElements(['os', 'my-image'], catalog, { arch: 'arm64' }).providedBy.get('block-device')).toBe('block-device-efi');
    const chosen = expandElements(['os', 'vm', 'block-device-gpt'], catalog);
    expect(chosen.providedBy.get('block-device')).toBe('block-device-gpt');
    expect(chosen.notes).toEqual([]);
  });
  test('a virtual name with providers but none chosen names them', () => {
    const path = makeElements(tmp(), { os: { provides: ['operating-system'] }, a: { deps: ['thing'] }, p1: { provides: ['thing'] }, p2: { provides: ['thing'] } });
    expect(() => expandElements(['os', 'a'], discoverElements([path]), { skipBase: true })).toThrow(
      expect.objectContaining({ message: "Element 'thing' not found", hint: "'thing' is provided by p1, p2: add one of them" }),
    );
  });
  test('a missing dependency names who needs it', () => {
    const path = makeElements(tmp(), { os: { provides: ['operating-system'], deps: ['ghost'] } });
    expect(() => expandElements(['os'], discoverElements([path]), { skipBase: true })).toThrow(expect.objectContaining({ hint: expect.stringContaining("needed by 'os'") }));
  });
});

describe.runIf(haveDib())('oracle: DIB element-info expands to the same set', () => {
  const cases: string[][] = [
    ['requires-foo'],
    ['requires-requires-foo'],
    ['foo'],
    ['self', 'foo'],
    ['circular1'],
    ['provides_virtual', 'requires_virtual'],
    ['requires_new_virtual', 'provides_new_virtual'],
    ['override_element', 'foo'],
    ['fake'],
    ['virtual', 'provides_virtual'],
    ['provides_virtual', 'also_provides_virtual'],
    ['provides_virtual'],
    ['circular1', 'operating-system'],
    ['requires-requires-foo', 'circular2', 'self', 'extra_dependency'],
  ];
  for (const names of cases) {
    test(names.join(' '), () => {
      const dib = dibElementInfo(tree.path, names);
      let mine: string[] | undefined;
      try {
        mine = ours(names).elements.map((e) => e.name).sort();
      } catch (e) {
        if (!(e instanceof TsdibError)) throw e;
      }
      if (dib.ok) expect(mine).toEqual(dib.names);
      else expect(mine).toBeUndefined();
    });
  }
});
