/**
 * `tsdib inspect IMAGE [--json]`: the partition table of an image. Raw images today; the image is
 * opened through `openForInspect`, the one place a container decoder (src/formats) plugs in.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { RawFileReader, type ReadableDisk } from '../disk/index.js';
import { failure } from '../errors.js';
import { inspectTable, type InspectReport } from '../mbr/inspect.js';
import { formatSize } from '../size.js';
import { runCommand } from './common.js';

interface InspectArgs {
  image: string;
  json?: boolean;
  'sector-size'?: number;
}

/** Magic numbers of containers we cannot read yet, so a qcow2 is not mistaken for a blank raw disk. */
const CONTAINER_MAGIC: [string, Uint8Array, number][] = [
  ['qcow2', Uint8Array.from([0x51, 0x46, 0x49, 0xfb]), 0],
  ['vdi', Uint8Array.from([0x7f, 0x10, 0xda, 0xbe]), 0x40],
  ['vmdk', Uint8Array.from(Buffer.from('KDMV', 'latin1')), 0],
  ['vhdx', Uint8Array.from(Buffer.from('vhdxfile', 'latin1')), 0],
  ['vhd', Uint8Array.from(Buffer.from('conectix', 'latin1')), 0],
];

export interface OpenedImage {
  readonly format: string;
  readonly disk: ReadableDisk;
}

function hasMagic(disk: ReadableDisk, magic: Uint8Array, offset: number): boolean {
  if (disk.size < offset + magic.length) return false;
  const bytes = disk.read(offset, magic.length);
  return bytes.every((b, i) => b === magic[i]);
}

/** Opens `path` as a ReadableDisk. Containers other than raw are refused until the formats issue lands. */
export function openForInspect(path: string): OpenedImage {
  const raw = new RawFileReader(path);
  for (const [format, magic, offset] of CONTAINER_MAGIC) {
    if (hasMagic(raw, magic, offset)) {
      raw.close();
      throw failure(`${path}: looks like a ${format} image; inspect reads raw images only for now`, 'convert it to raw first (qemu-img convert -O raw), or wait for the formats issue');
    }
  }
  return { format: 'raw', disk: raw };
}

function jsonReport(path: string, format: string, r: InspectReport): string {
  return JSON.stringify({ image: path, format, ...r }, null, 2);
}

function textReport(path: string, format: string, r: InspectReport): string {
  const lines = [`${path}: ${format}, ${formatSize(r.size)} (${r.size} bytes)`];
  if (r.scheme === 'none') {
    lines.push('partition table: none');
    return lines.join('\n');
  }
  lines.push(`partition table: ${r.scheme}, ${r.scheme === 'gpt' ? 'disk GUID' : 'disk id'} ${r.diskId}, ${r.sectorSize}-byte sectors`);
  if (r.gpt) {
    for (const [label, copy] of [['primary', r.gpt.primary], ['backup', r.gpt.backup]] as const) {
      lines.push(`  ${label} GPT: ${copy.ok ? 'ok' : `DAMAGED: ${copy.problems.join('; ')}`}`);
    }
  }
  const header = ['#', 'start', 'end', 'sectors', 'size', 'type', 'flags', 'name'];
  const rows = r.partitions.map((p) => [
    String(p.number),
    String(p.start),
    String(p.end),
    String(p.sectors),
    formatSize(p.size),
    p.typeName ? `${p.type} (${p.typeName})` : p.type,
    p.flags.join(',') || '-',
    p.name,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) lines.push(`  ${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <image>',
  describe: 'Show the container format, size and partition table of an image',
  builder: (y: Argv) =>
    y
      .positional('image', { type: 'string', demandOption: true, describe: 'A raw disk image' })
      .option('json', { type: 'boolean', describe: 'Machine-readable output' })
      .option('sector-size', { type: 'number', choices: [512, 4096], describe: 'Logical sector size (default: 512, or what the GPT header says)' })
      .example('$0 inspect disk.raw', 'scheme, disk id, and each partition: number, start, end, size, type, flags, name')
      .example('$0 inspect disk.raw --json', 'the same as JSON') as unknown as Argv<InspectArgs>,
  handler: (args: ArgumentsCamelCase<InspectArgs>) =>
    runCommand(() => {
      const { format, disk } = openForInspect(args.image);
      try {
        const ss = args['sector-size'];
        const report = inspectTable(disk, { where: args.image, ...(ss ? { sectorSize: ss } : {}) });
        process.stdout.write(`${args.json ? jsonReport(args.image, format, report) : textReport(args.image, format, report)}\n`);
      } finally {
        disk.close();
      }
    }),
};
