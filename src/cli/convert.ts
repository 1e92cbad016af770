/**
 * tsdib convert IN OUT: any container to any container, like `qemu-img convert`. The input format
 * is detected by magic (or -f); the output format is -O, else OUT's extension, else raw. Output is
 * atomic; ids come from --seed and timestamps from SOURCE_DATE_EPOCH, so output is reproducible.
 */
import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { inputError } from '../errors.js';
import { openImage, parseFormatName, parseOptionList, writeImage, type ImageFormat } from '../formats/index.js';
import { startProgress } from '../progress.js';
import { resolveEpoch, resolveSeed, runCommand, withQuiet, withSeed } from './common.js';

interface ConvertArgs {
  in: string;
  out: string;
  f?: string;
  O?: string;
  o?: string | string[];
  c?: boolean;
  force?: boolean;
  quiet?: boolean;
  seed?: string;
}

const EXTENSIONS: Record<string, ImageFormat> = { '.qcow2': 'qcow2', '.vhd': 'vhd', '.vpc': 'vhd', '.vmdk': 'vmdk', '.vdi': 'vdi', '.raw': 'raw', '.img': 'raw' };

/** -O, else the output's extension, else raw (qemu-img's default). */
export function outputFormat(out: string, explicit: string | undefined): ImageFormat {
  if (explicit) return parseFormatName(explicit, '-O');
  return EXTENSIONS[path.extname(out).toLowerCase()] ?? 'raw';
}

export const convertCommand: CommandModule<object, ConvertArgs> = {
  command: 'convert <in> <out>',
  describe: 'Convert between raw, qcow2, vhd, vmdk and vdi (like qemu-img convert)',
  builder: (y) =>
    withSeed(withQuiet(y))
      .positional('in', { type: 'string', demandOption: true, describe: 'Input image (format detected by magic)' })
      .positional('out', { type: 'string', demandOption: true, describe: 'Output image' })
      .option('f', { type: 'string', describe: 'Input format (raw, qcow2, vhd|vpc, vmdk, vdi); default: detected by magic' })
      .option('O', { type: 'string', describe: "Output format; default: OUT's extension (.qcow2 .vhd .vmdk .vdi), else raw" })
      .option('o', {
        type: 'string',
        // Not an array option: yargs would swallow the positionals after it. Repeating -o still gathers them.
        describe: 'Format options key=value,... : qcow2 compat=0.10|1.1, cluster_size=N, compression_level=1-9; vhd subformat=dynamic|fixed, force_size=on|off, creator=qemu|win|tap, azure=on; vmdk subformat=monolithicSparse|streamOptimized, adapter_type=ide|lsilogic|buslogic|legacyESX',
      })
      .option('c', { type: 'boolean', describe: 'Compress (qcow2 zlib clusters on all cores; vmdk streamOptimized)' })
      .option('force', { type: 'boolean', describe: 'Overwrite OUT if it exists' })
      .example('$0 convert disk.raw disk.qcow2', 'raw to qcow2 (format from the extension)')
      .example('$0 convert -c disk.raw disk.qcow2', 'compressed qcow2, all cores')
      .example('$0 convert -O vpc -o subformat=fixed,azure=on disk.raw disk.vhd', 'a fixed VHD checked against Azure rules')
      .example('$0 convert -O vmdk -o subformat=streamOptimized disk.qcow2 disk.vmdk', 'for vSphere / OVA'),
  handler: (argv) =>
    runCommand(async () => {
      const inFormat = argv.f ? parseFormatName(argv.f, '-f') : undefined;
      const outFormat = outputFormat(argv.out, argv.O);
      const options = parseOptionList([argv.o ?? []].flat().join(','));
      if (path.resolve(argv.in) === path.resolve(argv.out)) throw inputError(`${argv.out}: the output is the input`, 'write to another file');
      const seed = resolveSeed(argv.seed);
      const epoch = resolveEpoch();
      const image = openImage(argv.in, inFormat);
      try {
        const progress = startProgress(`convert ${path.basename(argv.in)} → ${outFormat}`, { quiet: Boolean(argv.quiet) });
        await writeImage(image.disk, outFormat, argv.out, { compress: Boolean(argv.c), options, seed, epoch, force: Boolean(argv.force) }, progress);
        progress.finish();
      } finally {
        image.disk.close();
      }
    }),
};
