/**
 * Config errors: DIB's messages (reference/dib.md §6.8 test_config.py) and our schema's, each naming
 * the YAML path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseLayout, planLayout } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/layout/${name}.yaml`, import.meta.url), 'utf8');
}
function layout(name: string) {
  return parseLayout(fixture(name), `${name}.yaml`);
}
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

