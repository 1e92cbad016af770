/**
 * `tsdib inspect IMAGE [--json]`: the container (any format src/formats reads: raw, qcow2, vhd,
 * vmdk, vdi), the partition table inside it, and the filesystem each partition holds (by its
 * signature: ext2/3/4, FAT, swap).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { probeFilesystem, type ProbedFilesystem } from '../assemble/probe.js';
import { openImage, type ImageInfo } from '../formats/index.js';
import { inspectTable, type InspectReport } from '../mbr/inspect.js';
import { formatSize } from '../size.js';
import { runCommand } from './common.js';

interface InspectArgs {
  image: string;
  json?: boolean;
  'sector-size'?: number;
}

type Report = InspectReport & { filesystems: Record<string, ProbedFilesystem | null> };

function jsonReport(path: string, info: ImageInfo, r: Report): string {
  return JSON.stringify({ image: path, format: info.format, container: info, ...r }, null, 2);
}

function containerLine(info: ImageInfo): string {
  const parts: string[] = [info.format];
  if (info.subformat) parts.push(info.subformat);
  if (info.compressed) parts.push('compressed');
  if (info.clusterSize) parts.push(`${formatSize(info.clusterSize)} clusters`);
  parts.push(`${formatSize(info.allocatedSize)} allocated`);
  return parts.join(', ');
}

function fsText(fs: ProbedFilesystem | null | undefined): string {
  if (!fs) return '-';
  return `${fs.type}${fs.label ? ` "${fs.label}"` : ''} ${fs.uuid}`;
}

function textReport(path: string, info: ImageInfo, r: Report): string {
  const lines = [`${path}: ${containerLine(info)}; disk ${formatSize(r.size)} (${r.size} bytes)`];
  if (r.scheme === 'none') {
    lines.push('partition table: none');
    const fs = r.filesystems['disk'];
    if (fs) lines.push(`filesystem: ${fsText(fs)}`);
    return lines.join('\n');
  }
  lines.push(`partition table: ${r.scheme}, ${r.scheme === 'gpt' ? 'disk GUID' : 'disk id'} ${r.diskId}, ${r.sectorSize}-byte sectors`);
  if (r.gpt) {
    for (const [label, copy] of [['primary', r.gpt.primary], ['backup', r.gpt.backup]] as const) {
      lines.push(`  ${label} GPT: ${copy.ok ? 'ok' : `DAMAGED: ${copy.problems.join('; ')}`}`);
    }
  }
  const header = ['#', 'start', 'end', 'sectors', 'size', 'type', 'flags', 'name', 'filesystem'];
  const rows = r.partitions.map((p) => [
    String(p.number),
    String(p.start),
    String(p.end),
    String(p.sectors),
    formatSize(p.size),
    p.typeName ? `${p.type} (${p.typeName})` : p.type,
    p.flags.join(',') || '-',
    p.name || '-',
    fsText(r.filesystems[String(p.number)]),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) lines.push(`  ${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <image>',
  describe: 'Show the container format, size, partition table and filesystems of an image',
  builder: (y: Argv) =>
    y
      .positional('image', { type: 'string', demandOption: true, describe: 'A disk image: raw, qcow2, vhd, vmdk or vdi' })
      .option('json', { type: 'boolean', describe: 'Machine-readable output' })
      .option('sector-size', { type: 'number', choices: [512, 4096], describe: 'Logical sector size (default: 512, or what the GPT header says)' })
      .example('$0 inspect disk.qcow2', 'container (format, allocation), scheme, disk id, and each partition: start, end, size, type, flags, name, filesystem')
      .example('$0 inspect disk.raw --json', 'the same as JSON') as unknown as Argv<InspectArgs>,
  handler: (args: ArgumentsCamelCase<InspectArgs>) =>
    runCommand(() => {
      const { disk, info } = openImage(args.image);
      try {
        const ss = args['sector-size'];
        const table = inspectTable(disk, { where: args.image, ...(ss ? { sectorSize: ss } : {}) });
        const filesystems: Record<string, ProbedFilesystem | null> = {};
        if (table.scheme === 'none') filesystems['disk'] = probeFilesystem(disk, 0, disk.size) ?? null;
        for (const p of table.partitions) {
          if (p.kind === 'extended') continue;
          filesystems[String(p.number)] = probeFilesystem(disk, p.start * table.sectorSize, p.size) ?? null;
        }
        const report: Report = { ...table, filesystems };
        process.stdout.write(`${args.json ? jsonReport(args.image, info, report) : textReport(args.image, info, report)}\n`);
      } finally {
        disk.close();
      }
    }),
};
