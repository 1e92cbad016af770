/**
 * Sizing a disk for its filesystems: the automatic size holds every need (checked against the
 * planner, not restated), a given size that is too small names the partition and the size to use.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { assemble, autoPlan, planDisk, sizeArgument } from '../../src/assemble/index.js';
import { bytesBody, FileTree } from '../../src/tree/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { parseLayout, presetLayout } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const multi = parseLayout(readFileSync(new URL('../fixtures/assemble/multi.yaml', import.meta.url), 'utf8'), 'multi.yaml');

describe('automatic size', () => {
  for (const preset of ['mbr', 'gpt', 'efi', 'none'] as const) {
    test(`${preset}: every filesystem gets at least what it needs, on a whole number of MiB`, () => {
      const layout = presetLayout(preset);
      const device = preset === 'none' ? 'image0' : 'root';
      const needs = new Map([[device, 812 * MiB]]);
      if (preset === 'efi') needs.set('ESP', 40 * MiB);
      const plan = autoPlan(layout.graph, needs, { seed: 's', source: preset });
      expect(plan.size % MiB).toBe(0);
      const size = (d: string) => (plan.table ? plan.partitions.find((p) => p.name === d)!.size : plan.size);
      expect(size(device)).toBeGreaterThanOrEqual(812 * MiB);
      // Not wasteful: at most a few MiB beyond the need and the fixed partitions.
      const fixed = preset === 'efi' ? 558 * MiB : preset === 'gpt' ? 8 * MiB : 0;
      expect(plan.size).toBeLessThanOrEqual(812 * MiB + fixed + 8 * MiB);
    });
  }
  test('percentages share what remains: each of the four multi partitions holds its need', () => {
    const needs = new Map([
      ['root', 300 * MiB],
      ['var', 500 * MiB],
      ['var_log', 33 * MiB],
      ['swap', 40960],
    ]);
    const plan = autoPlan(multi.graph, needs, { seed: 's', source: 'multi.yaml' });
    for (const [name, need] of needs) expect(plan.partitions.find((p) => p.name === name)!.size).toBeGreaterThanOrEqual(need);
    // /var limits: it takes 40 % of what root's 54 % leaves, so the disk is about 500 / (0.4 × 0.46) MiB.
    expect(plan.size).toBeGreaterThan(2717 * MiB);
    expect(plan.size).toBeLessThan(2740 * MiB);
  });
  test('a fixed partition smaller than its files cannot be grown: the error says to resize it in the layout', () => {
    const e = error(() => autoPlan(presetLayout('efi').graph, new Map([['ESP', 600 * MiB], ['root', MiB]]), { seed: 's', source: 'preset efi' }));
    expect(e.toLine()).toBe('preset efi: partition ESP is 550 MiB but its files need 600 MiB: give it a size of at least 600MiB (or a percentage) in the layout');
  });
});

describe('a given size', () => {
  test('that fits: the plan has exactly that size', () => {
    const plan = planDisk(presetLayout('mbr').graph, new Map([['root', 100 * MiB]]), { imageSize: 1024 * MiB, seed: 's', source: 'preset mbr' });
    expect(plan.size).toBe(1024 * MiB);
  });
  test('too small: "partition root needs 812 MiB, 499 MiB left: use --image-size ..." with a size that works (exit 2)', () => {
    const graph = presetLayout('mbr').graph;
    const needs = new Map([['root', 812 * MiB]]);
    const e = error(() => planDisk(graph, needs, { imageSize: 500 * MiB, seed: 's', source: 'preset mbr' }));
    expect(e.exitCode).toBe(2);
    const m = /^partition root needs 812 MiB, 498 MiB left: use --image-size (\d+MiB)$/.exec(e.toLine());
    expect(m, e.toLine()).not.toBeNull();
    // The suggested size really is enough.
    expect(() => planDisk(graph, needs, { imageSize: Number(m![1]!.replace('MiB', '')) * MiB, seed: 's', source: 'preset mbr' })).not.toThrow();
  });
  test('no partition table (none): the filesystem on the disk is named', () => {
    const e = error(() => planDisk(presetLayout('none').graph, new Map([['image0', 10 * MiB]]), { imageSize: 5 * MiB, seed: 's', source: 'preset none' }));
    expect(e.toLine()).toBe('filesystem on image0 needs 10 MiB, 5 MiB left: use --image-size 10MiB');
  });
  test('sizeArgument: whole GiB when exact, else MiB rounded up', () => {
    expect([sizeArgument(2 * 1024 * MiB), sizeArgument(812 * MiB + 1), sizeArgument(1)]).toEqual(['2GiB', '813MiB', '1MiB']);
  });
});

describe.runIf(haveTools('e2fsck'))('automatic size across the ext4 journal threshold', () => {
  const tmp = useTmpDir();
  // ext4 gets no journal under 8 MiB and a 4 MiB one from 8 MiB on, so a root whose minimal size is
  // 7 MiB does not fit in a partition of 8 or 9 MiB. The sizing must look at the size the partition
  // really gets, not only at the minimal need.
  test.each([5.0, 5.25, 5.5, 5.75, 6.0])('%f MiB of content on mbr: the automatic disk fits and e2fsck calls it clean', async (mib) => {
    const dir = tmp();
    const tree = new FileTree({ sec: 1_700_000_000, nsec: 0 });
    tree.addFile('/big.bin', bytesBody(new Uint8Array(Math.round(mib * 1024 * 1024)).fill(7)));
    for (let i = 0; i < 30; i++) tree.addFile(`/etc/f${i}`, bytesBody(new TextEncoder().encode(`${i}\n`)));
    const r = await assemble(tree, { layout: presetLayout('mbr'), name: join(dir, 'disk'), types: ['raw'], seed: 'journal', epoch: 1_700_000_000, bootloader: 'none' });
    const root = r.plan!.partitions[0]!;
    const check = runTool('e2fsck', ['-fn', `${join(dir, 'disk.raw')}?offset=${root.offset}`]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
