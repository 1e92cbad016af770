/**
 * DIB's tree → graph tests (reference/dib.md §6.8 test_config.py), on our own YAML fixtures
 * (test/fixtures/layout), and the graph's creation order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseLayout, toDibGraph, type MountNode } from '../../src/layout/index.js';


function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/layout/${name}.yaml`, import.meta.url), 'utf8');
}
function layout(name: string) {
  return parseLayout(fixture(name), `${name}.yaml`);
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

