/**
 * The planner against DIB: the test_mbr cases of reference/dib.md §6.8 (checked by partx, as DIB
 * checks them), DIB's test_gpt sizes, the errors, and random layouts checked by sfdisk and sgdisk.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, RawFileReader } from '../../src/disk/index.js';
import { TsdibError } from '../../src/errors.js';
import { planTable, readTable, writeTable, type PartitionRequest, type TableRequest } from '../../src/mbr/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const primary = (n: number, extra: Partial<PartitionRequest> = {}): PartitionRequest[] =>
  Array.from({ length: n }, (_, i) => ({ name: `p${i}`, size: 10 * MiB, flags: ['primary'], ...extra }));
const logical = (n: number): PartitionRequest[] => Array.from({ length: n }, (_, i) => ({ name: `l${i}`, size: 10 * MiB }));

function expectInputError(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TsdibError);
  expect((thrown as TsdibError).exitCode).toBe(2);
  expect((thrown as TsdibError).message).toMatch(message);
}

/** DIB's test_mbr.py cases: 1 GiB disk, 1 MiB alignment, 10 MiB partitions; expected `partx` lines. */
const DIB_MBR_CASES: [string, PartitionRequest[], string[]][] = [
  ['one logical', logical(1), ['1 2048 2097151 0xf 0x0 dos', '5 4096 24575 0x83 0x0 dos']],
  ['zero partitions', [], []],
  ['one primary', primary(1), ['1 2048 22527 0x83 0x0 dos']],
  ['three primaries', primary(3), ['1 2048 22527 0x83 0x0 dos', '2 22528 43007 0x83 0x0 dos', '3 43008 63487 0x83 0x0 dos']],
  [
    '3 primaries + 7 logical',
    [...primary(3), ...logical(7)],
    [
      '1 2048 22527 0x83 0x0 dos',
      '2 22528 43007 0x83 0x0 dos',
      '3 43008 63487 0x83 0x0 dos',
      '4 63488 2097151 0xf 0x0 dos',
      '5 65536 86015 0x83 0x0 dos',
      '6 88064 108543 0x83 0x0 dos',
      '7 110592 131071 0x83 0x0 dos',
      '8 133120 153599 0x83 0x0 dos',
      '9 155648 176127 0x83 0x0 dos',
      '10 178176 198655 0x83 0x0 dos',
      '11 200704 221183 0x83 0x0 dos',
    ],
  ],
  [
    '64 logical',
    logical(64),
    ['1 2048 2097151 0xf 0x0 dos', ...Array.from({ length: 64 }, (_, i) => `${i + 5} ${4096 + 22528 * i} ${4096 + 22528 * i + 20479} 0x83 0x0 dos`)],
  ],
  ['type 0x0c', primary(1, { type: '0c' }), ['1 2048 22527 0xc 0x0 dos']],
];

describe('MBR planner: where DIB puts partitions', () => {
  test('the boot flag sets the active byte; N% takes a share of what remains', () => {
    const plan = planTable({ label: 'mbr', diskSize: GiB, seed: 's', partitions: [{ name: 'root', size: '100%', flags: ['boot', 'primary'] }] });
    // DIB: free = disk - (next free + one unit) sectors, so 100% leaves the last MiB unused.
    expect(plan.table.partitions).toEqual([{ number: 1, start: 2048, sectors: 2097152 - 4096, type: 0x83, bootable: true }]);
    expect(plan.partitions).toEqual([{ name: 'root', number: 1, offset: MiB, size: GiB - 2 * MiB }]);
  });
  test('the disk id comes from the seed: same seed, same id; another seed, another id', () => {
    const req: TableRequest = { label: 'mbr', diskSize: GiB, partitions: primary(1), seed: 'a' };
    expect(planTable(req).table).toEqual(planTable(req).table);
    expect(planTable(req).table).not.toEqual(planTable({ ...req, seed: 'b' }).table);
  });
  test('errors: more than 4 primaries, no slot for the extended, primary after logical, unknown flag, bad type', () => {
    expectInputError(() => planTable({ label: 'mbr', diskSize: GiB, partitions: primary(5) }), /partition "p4": more than 4 primary partitions/);
    expectInputError(() => planTable({ label: 'mbr', diskSize: GiB, partitions: [...primary(4), ...logical(1)] }), /no MBR slot left for the extended partition/);
    expectInputError(() => planTable({ label: 'mbr', diskSize: GiB, partitions: [...logical(1), ...primary(1)] }), /partition "p0": a primary partition cannot follow a logical one/);
    expectInputError(() => planTable({ label: 'mbr', diskSize: GiB, partitions: [{ name: 'x', size: MiB, flags: ['bot'] }] }), /partition "x": Unknown flag: bot/);
    expectInputError(() => planTable({ label: 'mbr', diskSize: GiB, partitions: [{ name: 'x', size: MiB, type: 'linux' }] }), /partition "x": MBR type "linux" is not a byte in hex/);
  });
  test('a disk too small says how much is needed', () => {
    expectInputError(() => planTable({ label: 'mbr', diskSize: 20 * MiB, partitions: primary(3) }), /disk too small for the partition layout: need 31 MiB, have 20 MiB/);
    expectInputError(() => planTable({ label: 'gpt', diskSize: 20 * MiB, partitions: [{ name: 'a', size: '30MiB' }] }), /disk too small for the partition layout: need \d+ MiB, have 20 MiB/);
  });
  test('alignment is configurable and 4096-byte sectors work', () => {
    const plan = planTable({ label: 'mbr', diskSize: 64 * MiB, sectorSize: 4096, align: 4 * MiB, partitions: [...primary(1), ...logical(1)] });
    expect(plan.table.partitions.map((p) => [p.number, p.start, p.sectors, p.ebr])).toEqual([
      [1, 1024, 2560, undefined],
      [2, 4096, 12288, undefined],
      [5, 5120, 2560, 4096],
    ]);
    expectInputError(() => planTable({ label: 'mbr', diskSize: 64 * MiB, align: 1000, partitions: [] }), /align: 1000 bytes is not a whole number of 512-byte sectors/);
  });
});

describe('GPT planner: what DIB asks sgdisk for', () => {
  test("DIB's test_gpt_efi: ESP 8M, BSP 8M, 'Root Part' 100% of a 1 GiB disk gets +1006M", () => {
    const plan = planTable({
      label: 'gpt',
      diskSize: GiB,
      seed: 'x',
      partitions: [
        { name: 'ESP', size: '8MiB', type: 'EF00' },
        { name: 'BSP', size: '8MiB', type: 'EF02' },
        { name: 'Root Part', size: '100%', type: '8300', flags: ['boot'] },
      ],
    });
    expect(plan.partitions.map((p) => [p.name, p.number, p.offset / 512, p.size / MiB])).toEqual([
      ['ESP', 1, 2048, 8],
      ['BSP', 2, 18432, 8],
      ['Root Part', 3, 34816, 1006],
    ]);
    expect(plan.table.scheme === 'gpt' && plan.table.partitions[2]!.attributes).toBe(0n);
  });
  test('sizes are floored to whole MiB; the primary flag is refused as DIB refuses it', () => {
    const plan = planTable({ label: 'gpt', diskSize: GiB, partitions: [{ name: 'a', size: '1.5MiB' }] });
    expect(plan.partitions[0]!.size).toBe(MiB);
    expectInputError(() => planTable({ label: 'gpt', diskSize: GiB, partitions: primary(1) }), /Primary flag not supported for GPT partitions/);
  });
});

describe.runIf(haveTools('partx', 'sfdisk', 'sgdisk'))('planned tables read by partx, sfdisk and sgdisk', () => {
  const tmp = useTmpDir();
  const partx = (path: string) => runTool('partx', ['--raw', '--output', 'NR,START,END,TYPE,FLAGS,SCHEME', '-g', '-b', '-', path]);

  for (const [name, partitions, expected] of DIB_MBR_CASES) {
    test(`DIB test_mbr "${name}": partx prints DIB's table; sfdisk --verify is clean`, () => {
      const path = join(tmp(), 'image.raw');
      const disk = FileDisk.create(path, GiB);
      writeTable(disk, planTable({ label: 'mbr', diskSize: GiB, partitions, seed: name }).table);
      disk.close();
      const r = partx(path);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(expected.map((l) => `${l}\n`).join(''));
      const v = runTool('sfdisk', ['--verify', path]);
      expect(v.stdout + v.stderr).toContain('No errors detected');
    });
  }

  test('random layouts (seeded PRNG): sfdisk, partx and sgdisk agree with the plan', () => {
    let state = 0x2545f491;
    const rand = (n: number) => {
      // xorshift32: a fixed sequence, so a failure reproduces.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % n;
    };
    const dir = tmp();
    for (let round = 0; round < 12; round++) {
      const label = round % 2 === 0 ? 'mbr' : 'gpt';
      const diskSize = (64 + rand(512)) * MiB;
      const nPrimary = label === 'mbr' ? rand(4) : 0;
      const count = 1 + rand(label === 'mbr' ? 8 : 10);
      const partitions: PartitionRequest[] = Array.from({ length: count }, (_, i) => ({
        name: `part${i}`,
        size: rand(3) === 0 ? `${1 + rand(20)}%` : `${1 + rand(6)}MiB`,
        type: label === 'mbr' ? ['83', '82', '0c', '8e'][rand(4)] : ['8300', 'EF00', '8200', 'FD00'][rand(4)],
        flags: label === 'mbr' ? [...(i < nPrimary ? ['primary'] : []), ...(rand(4) === 0 ? ['boot'] : [])] : [],
      }));
      const plan = planTable({ label, diskSize, partitions, seed: `r${round}`, align: [MiB, 4 * MiB][rand(2)] });
      const path = join(dir, `r${round}.raw`);
      const disk = FileDisk.create(path, diskSize);
      writeTable(disk, plan.table);
      disk.close();
      const lines = partx(path).stdout.trim().split('\n');
      for (const p of plan.partitions) {
        const line = lines.find((l) => l.startsWith(`${p.number} `));
        expect(line, `round ${round} ${p.name}`).toBeDefined();
        const [, start, end] = line!.split(' ');
        expect([Number(start), Number(end)]).toEqual([p.offset / 512, (p.offset + p.size) / 512 - 1]);
      }
      const reader = new RawFileReader(path);
      expect(readTable(reader).table, `round ${round}: our decoder reads back what we planned`).toEqual(plan.table);
      reader.close();
      if (label === 'mbr') {
        const v = runTool('sfdisk', ['--verify', path]);
        expect(v.stdout + v.stderr, `round ${round}`).toContain('No errors detected');
      } else {
        const v = runTool('sgdisk', ['-v', path]);
        expect(v.stdout, `round ${round}`).toContain('No problems found');
      }
    }
  });
});

describe.runIf(haveTools('fdisk'))('4096-byte sectors, read by fdisk -b 4096', () => {
  const tmp = useTmpDir();
  for (const label of ['mbr', 'gpt'] as const) {
    test(`${label}: fdisk lists the planned partitions at the planned 4 KiB sectors`, () => {
      const path = join(tmp(), `${label}.raw`);
      const diskSize = 256 * MiB;
      const partitions: PartitionRequest[] =
        label === 'mbr'
          ? [{ name: 'a', size: '16MiB', flags: ['primary', 'boot'] }, { name: 'b', size: '32MiB' }, { name: 'c', size: '100%' }]
          : [{ name: 'ESP', size: '16MiB', type: 'EF00' }, { name: 'root', size: '100%' }];
      const plan = planTable({ label, diskSize, sectorSize: 4096, partitions, seed: '4k' });
      const disk = FileDisk.create(path, diskSize);
      writeTable(disk, plan.table);
      disk.close();
      const r = runTool('fdisk', ['-b', '4096', '-l', path]);
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/mismatch|corrupt|invalid|overlap/i);
      for (const p of plan.partitions) {
        const start = p.offset / 4096;
        const end = (p.offset + p.size) / 4096 - 1;
        expect(r.stdout).toMatch(new RegExp(`${label}\\.raw${p.number}\\s+(\\*\\s+)?${start}\\s+${end}\\s`));
      }
      const reader = new RawFileReader(path);
      expect(readTable(reader, label === 'mbr' ? { sectorSize: 4096 } : {}).table).toEqual(plan.table);
      reader.close();
    });
  }
});

describe.runIf(haveTools('sgdisk', 'cmp'))("GPT planner = what sgdisk does with DIB's command line", () => {
  const tmp = useTmpDir();
  test("DIB's `sgdisk -n N:0:+<MiB>M -t N:<type> -c N:<name>` call gives the same table bytes as our plan (same GUIDs)", () => {
    const dir = tmp();
    const diskSize = 128 * MiB;
    const requests: PartitionRequest[] = [
      { name: 'ESP', size: '64MiB', type: 'EF00' },
      { name: 'BSP', size: '8MiB', type: 'EF02' },
      { name: 'Root Part', size: '100%', type: '8300' },
    ];
    const plan = planTable({ label: 'gpt', diskSize, seed: 'dib', partitions: requests });
    if (plan.table.scheme !== 'gpt') throw new Error('expected a GPT');
    const ours = join(dir, 'ours.raw');
    const disk = FileDisk.create(ours, diskSize);
    writeTable(disk, plan.table);
    disk.close();
    const theirs = join(dir, 'theirs.raw');
    FileDisk.create(theirs, diskSize).close();
    // DIB's argv (reference/dib.md §6.3, test_gpt_efi), plus our GUIDs pinned so the bytes can match.
    const args = ['-U', plan.table.diskGuid];
    for (const p of plan.table.partitions) {
      const mib = (p.sectors * 512) / MiB;
      args.push('-n', `${p.number}:0:+${mib}M`, '-t', `${p.number}:${requests[p.number - 1]!.type}`, '-c', `${p.number}:${p.name}`, '-u', `${p.number}:${p.guid}`);
    }
    expect(args).toContain('3:0:+54M');
    expect(runTool('sgdisk', [...args, theirs]).status).toBe(0);
    expect(runTool('cmp', [ours, theirs]).stdout).toBe('');
  });
});
