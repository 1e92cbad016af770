/**
 * DIB's block-device config tests (reference/dib.md §6.8, test_config.py and test_gpt.py), ported
 * to our own YAML fixtures (test/fixtures/layout), plus schema validation and the presets.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { parseLayout, planLayout, presetLayout, toDibGraph, type MountNode } from '../../src/layout/index.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/layout/${name}.yaml`, import.meta.url), 'utf8');
}
function layout(name: string) {
  return parseLayout(fixture(name), `${name}.yaml`);
}
function error(fn: () => unknown): TsdibError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    return e as TsdibError;
  }
  throw new Error('expected a TsdibError');
}
const byName = (entries: Record<string, unknown>[]) =>
  [...entries].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('tree → graph, as DIB converts it', () => {
  for (const [tree, graph] of [
    ['simple_tree', 'simple_graph'],
    ['deep_tree', 'deep_graph'],
    ['multiple_partitions_tree', 'multiple_partitions_graph'],
  ]) {
    test(`${tree} converts to ${graph}; ${graph} converts to itself`, () => {
      const fromTree = toDibGraph(layout(tree!).entries);
      const fromGraph = toDibGraph(layout(graph!).entries);
      expect(byName(fromTree)).toEqual(byName(fromGraph));
    });
  }
  test('names default to <plugin>_<base>: mkfs_root, mount_mkfs_root, fstab_mount_mkfs_root', () => {
    expect([...layout('deep_tree').graph.nodes.keys()].sort()).toEqual(['fstab_mount_mkfs_root', 'image0', 'mkfs_root', 'mount_mkfs_root', 'root']);
  });
  test('deep_graph creation order is exactly image0, root, mkfs_root, mount_mkfs_root, fstab_mount_mkfs_root', () => {
    expect(layout('deep_graph').graph.order).toEqual(['image0', 'root', 'mkfs_root', 'mount_mkfs_root', 'fstab_mount_mkfs_root']);
  });
  test('multiple partitions: root < var < var_log, each partition before its mkfs; mounts in /, /var, /var/log, none order', () => {
    const { graph } = layout('multiple_partitions_graph');
    const at = (n: string) => graph.order.indexOf(n);
    expect(at('root')).toBeLessThan(at('var'));
    expect(at('var')).toBeLessThan(at('var_log'));
    for (const p of ['root', 'var', 'var_log', 'swap']) expect(at(p)).toBeLessThan(at(`mkfs_${p}`));
    const mounts = graph.order.map((n) => graph.nodes.get(n)!).filter((n): n is MountNode => n.kind === 'mount');
    expect(mounts.map((m) => m.mountPoint)).toEqual(['/', '/var', '/var/log', 'none']);
  });
});

describe("DIB's config errors, with DIB's messages and the YAML path", () => {
  test('an unknown plugin', () => {
    const e = error(() => layout('bad_plugin'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('bad_plugin.yaml [0]: unknown plugin "this_is_not_a_plugin_name"');
  });
  test('two plugins in one entry', () => {
    expect(error(() => layout('multi_key_node')).message).toMatch(/^multi_key_node\.yaml \[0\]: Config entry top-level should be a single dict: mkfs, mount$/);
  });
  test('an edge to a node that does not exist', () => {
    expect(error(() => layout('bad_edge_graph')).message).toContain('Edge not defined: this_is_not_a_node->mkfs_root');
  });
  test('a duplicate node name', () => {
    expect(error(() => layout('duplicate_name')).message).toMatch(/^duplicate_name\.yaml \[2\]\.mkfs: Duplicate node name: this_is_a_duplicate$/);
  });
  test("DIB's fck-passno typo is an error naming the path and the allowed keys", () => {
    const e = error(() => layout('typo_key'));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('typo_key.yaml [1].partitioning.partitions[0].mkfs.mount.fstab: unknown key "fck-passno"');
    expect(e.hint).toContain('fsck-passno');
  });
  test("a label other than mbr or gpt: Label must be 'mbr' or 'gpt'", () => {
    const text = fixture('simple_tree').replace('label: mbr', 'label: msdos');
    expect(error(() => parseLayout(text, 'x.yaml')).message).toBe("x.yaml [1].partitioning.label: Label must be 'mbr' or 'gpt'");
  });
  test("missing keys: Partitioning config needs 'label', No 'size' in partition", () => {
    expect(error(() => parseLayout(fixture('simple_tree').replace('    label: mbr\n', ''), 'x.yaml')).message).toBe("x.yaml [1].partitioning: Partitioning config needs 'label'");
    expect(error(() => parseLayout(fixture('simple_tree').replace('        size: 100%\n', ''), 'x.yaml')).message).toBe("x.yaml [1].partitioning.partitions[0]: No 'size' in partition [root]");
  });
  test('a wrongly typed value names its path', () => {
    const e = error(() => parseLayout(fixture('simple_tree').replace('flags: [ boot, primary ]', 'flags: boot'), 'x.yaml'));
    expect(e.message).toBe('x.yaml [1].partitioning.partitions[0].flags: must be array');
  });
  test('invalid YAML names the line', () => {
    expect(error(() => parseLayout('- local_loop:\n  name: [x', 'bad.yaml')).message).toMatch(/^bad\.yaml: invalid YAML at line \d+/);
  });
  test('lvm is parsed, then refused: not supported yet (exit 1)', () => {
    const l = layout('lvm_tree');
    const e = error(() => planLayout(l.graph, { imageSize: GiB }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('block-device config [2].lvm: lvm is not supported yet');
  });
});

describe('planning layouts', () => {
  test("gpt_efi (DIB's test_gpt): ESP 8 MiB, BSP 8 MiB, 'Root Part' 1006 MiB on 1 GiB", () => {
    const plan = planLayout(layout('gpt_efi').graph, { imageSize: GiB, seed: 's' });
    expect(plan.table?.scheme).toBe('gpt');
    expect(plan.partitions.map((p) => [p.name, p.number, p.size / MiB])).toEqual([
      ['ESP', 1, 8],
      ['BSP', 2, 8],
      ['Root Part', 3, 1006],
    ]);
    expect(plan.filesystems.map((f) => [f.mkfs.name, f.device, f.mount?.mountPoint, f.fstab?.fsckPassno])).toEqual([
      ['mkfs_ESP', 'ESP', '/boot/efi', 1],
      ['mkfs_Root Part', 'Root Part', '/', 1],
    ]);
  });
  test('the local_loop size wins over the image size; block_size 4096 gives 4 KiB sectors', () => {
    const text = fixture('deep_tree').replace('size: 2GiB', 'size: 2GiB\n    block_size: 4096');
    const plan = planLayout(parseLayout(text).graph, { imageSize: GiB });
    expect(plan.size).toBe(2 * GiB);
    expect(plan.sectorSize).toBe(4096);
    expect(plan.partitions).toEqual([{ name: 'root', number: 1, offset: MiB, size: 2 * GiB - 2 * MiB }]);
  });
  test('no size anywhere is an input error', () => {
    expect(error(() => planLayout(presetLayout('mbr').graph)).message).toBe('no image size');
  });
  test('a disk too small says how much is needed', () => {
    expect(error(() => planLayout(presetLayout('efi').graph, { imageSize: 100 * MiB })).message).toMatch(/need \d+ MiB, have 100 MiB/);
  });
});

describe('presets (DIB block-device-mbr/-gpt/-efi and the built-in fallback)', () => {
  test('mbr: one bootable primary root filling the disk', () => {
    const plan = planLayout(presetLayout('mbr').graph, { imageSize: GiB, seed: 'x' });
    expect(plan.table?.scheme).toBe('mbr');
    expect(plan.table?.partitions).toEqual([{ number: 1, start: 2048, sectors: 2093056, type: 0x83, bootable: true }]);
    expect(plan.filesystems.map((f) => [f.mkfs.name, f.mkfs.type, f.mount?.mountPoint])).toEqual([['mkfs_root', undefined, '/']]);
  });
  test('gpt: BSP EF02 8 MiB then root', () => {
    const plan = planLayout(presetLayout('gpt').graph, { imageSize: GiB, seed: 'x' });
    expect(plan.partitions.map((p) => [p.name, p.number, p.offset / MiB, p.size / MiB])).toEqual([
      ['BSP', 1, 1, 8],
      ['root', 2, 9, 1014],
    ]);
  });
  test('efi: ESP EF00 550 MiB vfat on /boot/efi, BSP, root', () => {
    const plan = planLayout(presetLayout('efi').graph, { imageSize: 2 * GiB, seed: 'x' });
    expect(plan.partitions.map((p) => [p.name, p.size / MiB])).toEqual([
      ['ESP', 550],
      ['BSP', 8],
      ['root', 2048 - 2 - 558],
    ]);
    expect(plan.table?.scheme === 'gpt' && plan.table.partitions.map((p) => p.type)).toEqual([
      'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      '21686148-6449-6E6F-744E-656564454649',
      '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    ]);
    expect(plan.filesystems[0]).toMatchObject({ device: 'ESP', mkfs: { name: 'mkfs_ESP', type: 'vfat' }, mount: { mountPoint: '/boot/efi' } });
  });
  test('none: no partition table, the filesystem takes the whole disk', () => {
    const plan = planLayout(presetLayout('none').graph, { imageSize: GiB });
    expect(plan.table).toBeUndefined();
    expect(plan.filesystems.map((f) => [f.device, f.offset, f.size])).toEqual([['image0', 0, GiB]]);
  });
  test('an unknown preset is an input error listing the presets', () => {
    const e = error(() => presetLayout('msdos'));
    expect(e.exitCode).toBe(2);
    expect(e.hint).toContain('mbr, gpt, efi, none');
  });
});
