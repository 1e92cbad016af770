/** Loads the sector fixtures of test/fixtures/mbr (made by make.sh there) and compares disks with them. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ReadableDisk } from '../../src/disk/index.js';

export interface SectorFixture {
  size: number;
  sectors: Map<number, Uint8Array>;
}

export function loadFixture(name: string): SectorFixture {
  const json = JSON.parse(readFileSync(new URL(`../fixtures/mbr/${name}.json`, import.meta.url), 'utf8')) as { size: number; sectors: Record<string, string> };
  const sectors = new Map<number, Uint8Array>();
  for (const [lba, hex] of Object.entries(json.sectors)) sectors.set(Number(lba), Uint8Array.from(Buffer.from(hex, 'hex')));
  return { size: json.size, sectors };
}

/** A read function over the fixture: the recorded sectors, zeros elsewhere. */
export function fixtureReader(f: SectorFixture): (offset: number, length: number) => Uint8Array {
  return (offset, length) => {
    const out = new Uint8Array(length);
    for (const [lba, bytes] of f.sectors) {
      const s = lba * 512;
      const from = Math.max(s, offset);
      const to = Math.min(s + 512, offset + length);
      if (from < to) out.set(bytes.subarray(from - s, to - s), from - offset);
    }
    return out;
  };
}

/** Every non-zero sector of `disk` is the fixture's, and every fixture sector is on `disk`. */
export function expectSameSectors(disk: ReadableDisk, f: SectorFixture): void {
  const ours = new Map<number, string>();
  for (const r of disk.dataRanges()) {
    for (let lba = Math.floor(r.offset / 512); lba * 512 < r.offset + r.length; lba++) {
      const bytes = disk.read(lba * 512, 512);
      if (bytes.some((b) => b !== 0)) ours.set(lba, Buffer.from(bytes).toString('hex'));
    }
  }
  const theirs = new Map([...f.sectors].map(([lba, b]) => [lba, Buffer.from(b).toString('hex')]));
  expect([...ours.keys()].sort((a, b) => a - b)).toEqual([...theirs.keys()].sort((a, b) => a - b));
  for (const [lba, hex] of theirs) expect({ lba, hex: ours.get(lba) }).toEqual({ lba, hex });
}
