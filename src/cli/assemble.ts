/**
 * `tsdib assemble`: a DIB block-device layout (preset or YAML) → a disk image. Without ROOTFS it
 * writes only the partition table into a sparse raw image; filesystems (issue 5) and other
 * container formats (the formats issue) plug in here later.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { FileDisk } from '../disk/index.js';
import { failure, inputError } from '../errors.js';
import { isPresetName, parseLayout, planLayout, presetLayout, type DiskPlan, type Layout } from '../layout/index.js';
import { writeTable } from '../mbr/table.js';
import { AtomicOutput } from '../output.js';
import { formatSize, parseImageSize } from '../size.js';
import { resolveSeed, runCommand, withQuiet, withSeed } from './common.js';

interface AssembleArgs {
  rootfs?: string[];
  output: string;
  type: string;
  'block-device': string;
  'image-size'?: string;
  seed?: string;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** Every -t value DESIGN.md §4 names; only raw is written so far. */
export const IMAGE_TYPES = ['qcow2', 'raw', 'vhd', 'vmdk', 'vdi', 'tar'] as const;

export function parseTypes(text: string): string[] {
  const types = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (types.length === 0) throw inputError('-t: no image type given', `use one or more of ${IMAGE_TYPES.join(', ')}`);
  for (const t of types) {
    if (!(IMAGE_TYPES as readonly string[]).includes(t)) throw inputError(`-t: unknown image type "${t}"`, `use ${IMAGE_TYPES.join(', ')}`);
  }
  const unsupported = types.filter((t) => t !== 'raw');
  if (unsupported.length > 0) {
    throw failure(`-t ${unsupported.join(',')}: only raw images are written so far`, 'the formats issue adds qcow2, vhd, vmdk, vdi and tar; use -t raw (and tsdib convert / qemu-img convert meanwhile)');
  }
  return types;
}

/** A preset name (mbr, gpt, efi, none) or a YAML file. */
export function loadLayout(spec: string): Layout {
  if (isPresetName(spec)) return presetLayout(spec);
  if (!existsSync(spec)) throw inputError(`--block-device ${spec}: neither a preset (mbr, gpt, efi, none) nor a YAML file`, 'name a preset or an existing file');
  return parseLayout(readFileSync(spec, 'utf8'), spec);
}

/** DIB names outputs NAME.<type>; a NAME already ending in .raw is kept as it is. */
export function outputPath(name: string, type: string): string {
  return name.endsWith(`.${type}`) ? name : `${name}.${type}`;
}

function writeRaw(path: string, plan: DiskPlan, force: boolean): void {
  const out = new AtomicOutput(path, { force });
  let disk: FileDisk | undefined;
  try {
    disk = FileDisk.create(out.tempPath, plan.size);
    if (plan.table) writeTable(disk, plan.table);
    disk.sync();
    disk.close();
    out.commit();
  } catch (e) {
    disk?.close();
    out.abort();
    throw e;
  }
}

function summary(path: string, plan: DiskPlan): string {
  const table = plan.table ? `${plan.table.scheme}, ${plan.partitions.length} partition${plan.partitions.length === 1 ? '' : 's'}` : 'no partition table';
  const lines = [`${path}: raw, ${formatSize(plan.size)}, ${table}`];
  for (const p of plan.partitions) lines.push(`  ${p.number}  ${p.name}  offset ${p.offset}  ${formatSize(p.size)}`);
  return lines.join('\n');
}

export const assembleCommand: CommandModule<object, AssembleArgs> = {
  command: 'assemble [rootfs..]',
  describe: 'Assemble rootfs tarballs and a DIB block-device layout into a disk image',
  builder: (y: Argv) =>
    withSeed(withQuiet(y))
      .positional('rootfs', { type: 'string', array: true, describe: 'Root filesystems (not supported yet: filesystems come with issue 5)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Image name: writes NAME.<type>' })
      .option('type', { alias: 't', type: 'string', default: 'qcow2', describe: `Image types, comma-separated: ${IMAGE_TYPES.join(', ')} (only raw so far)` })
      .option('block-device', { type: 'string', default: 'mbr', describe: 'Layout: a preset (mbr, gpt, efi, none) or a DIB block-device YAML file' })
      .option('image-size', { type: 'string', describe: 'Disk size in DIB syntax (10GiB, 500M); a bare number is GiB, as in DIB' })
      .option('force', { type: 'boolean', describe: 'Overwrite an existing output' })
      .option('json', { type: 'boolean', describe: 'Print the plan as JSON' })
      .example('$0 assemble --block-device efi --image-size 2GiB -o disk -t raw', 'disk.raw with an ESP, a BIOS boot partition and root (GPT)')
      .example('$0 assemble --block-device layout.yaml --image-size 4GiB -o disk -t raw --seed ci', 'a DIB YAML layout, ids derived from the seed (same seed, same bytes)')
      .example('$0 assemble --block-device mbr --image-size 1 -o disk -t raw', 'one bootable primary partition on 1 GiB') as unknown as Argv<AssembleArgs>,
  handler: (args: ArgumentsCamelCase<AssembleArgs>) =>
    runCommand(() => {
      if (args.rootfs && args.rootfs.length > 0) {
        throw failure(`ROOTFS arguments (${args.rootfs.join(' ')}) are not supported yet: filesystems come with issue 5`, 'run assemble without ROOTFS to write the partition table only');
      }
      const types = parseTypes(args.type);
      const layout = loadLayout(args['block-device']);
      const imageSize = args['image-size'] === undefined ? undefined : parseImageSize(args['image-size']);
      const plan = planLayout(layout.graph, { source: layout.source, seed: resolveSeed(args.seed), ...(imageSize !== undefined ? { imageSize } : {}) });
      const written: string[] = [];
      for (const type of types) {
        const path = outputPath(args.output, type);
        writeRaw(path, plan, Boolean(args.force));
        written.push(path);
      }
      if (plan.filesystems.length > 0 && !args.quiet) {
        const names = plan.filesystems.map((f) => `${f.mkfs.name}${f.mount ? ` (${f.mount.mountPoint})` : ''}`).join(', ');
        const what = plan.table ? 'the partition table only' : 'an empty disk (this layout has no partition table)';
        process.stderr.write(`tsdib: no ROOTFS given: wrote ${what}; ${names} not created (filesystems come with issue 5)\n`);
      }
      for (const path of written) {
        if (args.json) {
          process.stdout.write(
            `${JSON.stringify(
              {
                output: path,
                format: 'raw',
                size: plan.size,
                sectorSize: plan.sectorSize,
                scheme: plan.table?.scheme ?? 'none',
                partitions: plan.partitions,
                filesystemsNotWritten: plan.filesystems.map((f) => ({ name: f.mkfs.name, device: f.device, mountPoint: f.mount?.mountPoint })),
              },
              null,
              2,
            )}\n`,
          );
        } else {
          process.stdout.write(`${summary(path, plan)}\n`);
        }
      }
    }),
};
