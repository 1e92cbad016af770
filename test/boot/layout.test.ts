import { expect, test } from 'vitest';
import { bootLayoutFromPlan } from '../../src/boot/layout.js';
import { planLayout, planLayoutYaml, presetLayout } from '../../src/layout/index.js';

const GiB = 1024 ** 3;
const plan = (preset: string) => planLayout(presetLayout(preset).graph, { imageSize: 2 * GiB, seed: 's' });

test('efi preset: ESP (vfat) at /boot/efi, BIOS boot partition, ext4 root labelled cloudimg-rootfs', () => {
  const p = plan('efi');
  const l = bootLayoutFromPlan(p);
  expect(l.scheme).toBe('gpt');
  expect(l.esp?.fs.type).toBe('vfat');
  expect(l.biosBoot).toBeDefined();
  expect(l.root.fs.type).toBe('ext4');
  expect(l.root.label).toBe('cloudimg-rootfs');
  const byNumber = new Map(p.partitions.map((x) => [x.number, x.name]));
  expect(byNumber.get(l.biosBoot!.partition.number)).toMatch(/BSP/i);
  expect(l.boot).toBeUndefined();
});

test('mbr preset: one partition holding /, no ESP, no BIOS boot partition; --root-label and features pass through', () => {
  const l = bootLayoutFromPlan(plan('mbr'), { rootLabel: 'myroot', features: (mp) => (mp === '/' ? 'ext4,^has_journal' : undefined) });
  expect(l.scheme).toBe('mbr');
  expect(l.esp).toBeUndefined();
  expect(l.biosBoot).toBeUndefined();
  expect(l.root.partition.number).toBe(1);
  expect(l.root.fs.features).toBe('ext4,^has_journal');
  expect(l.root.label).toBe('myroot');
});

test('a separate /boot is found with its label', () => {
  const yaml = `
- local_loop:
    name: image0
- partitioning:
    base: image0
    label: mbr
    partitions:
      - name: boot
        flags: [boot, primary]
        size: 256MiB
        mkfs:
          type: ext4
          label: bootfs
          mount:
            mount_point: /boot
      - name: root
        flags: [primary]
        size: 100%
        mkfs:
          type: ext4
          mount:
            mount_point: /
`;
  const l = bootLayoutFromPlan(planLayoutYaml(yaml, { imageSize: 2 * GiB }));
  expect(l.boot?.partition.number).toBe(1);
  expect(l.boot?.label).toBe('bootfs');
  expect(l.root.partition.number).toBe(2);
});
