/** Committed qemu-img outputs (test/fixtures/formats/README.md) decode to the exact disk they were made from. */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { openImage } from '../../src/formats/index.js';

const SRC_SHA256 = '57b73d0a96ba1a9bcebeaa001917c9d21bd302d64b43e613e809db7b9860c951';
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/formats/${name}`, import.meta.url));

describe('qemu-img fixtures', () => {
  for (const [name, format, compressed] of [
    ['qemu-c-4k.qcow2', 'qcow2', true],
    ['qemu-v2-4k.qcow2', 'qcow2', false],
    ['qemu-stream.vmdk', 'vmdk', true],
  ] as const) {
    test(`${name}: detected as ${format}, decodes to src.raw`, () => {
      const img = openImage(fixture(name));
      try {
        expect(img.format).toBe(format);
        expect(img.info.virtualSize).toBe(1048576);
        expect(img.info.compressed).toBe(compressed);
        expect(img.info.allocatedSize).toBe(statSync(fixture(name)).blocks * 512);
        expect(createHash('sha256').update(img.disk.read(0, img.disk.size)).digest('hex')).toBe(SRC_SHA256);
        // The allocation tables say where data is: 4 KiB units around offsets 4096 and 700000.
        const ranges = [...img.disk.dataRanges()];
        expect(ranges[0]!.offset).toBe(format === 'vmdk' ? 0 : 4096);
        expect(ranges.at(-1)!.offset + ranges.at(-1)!.length).toBeGreaterThanOrEqual(730000);
      } finally {
        img.disk.close();
      }
    });
  }
});
