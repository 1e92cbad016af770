/**
 * tsdib mkfs ext4 ROOTFS... -o FILE: one filesystem image from tarballs or directories (layered in
 * order), sized to its content unless --size is given. Output is atomic; ids come from --seed and
 * timestamps from SOURCE_DATE_EPOCH, so the same inputs give the same bytes.
 */
import { tmpdir } from 'node:os';
import type { CommandModule } from 'yargs';
import { FileDisk } from '../disk/index.js';
import { failure } from '../errors.js';
import { autoSize, planExt4, writeExt4, type Ext4Options } from '../fs/ext4/index.js';
import { AtomicOutput, writeAtomically } from '../output.js';
import { startProgress } from '../progress.js';
import { formatSize, parseSize } from '../size.js';
import { readRootfs } from '../tar/index.js';
import { resolveEpoch, resolveSeed, runCommand, withQuiet, withSeed } from './common.js';

interface MkfsArgs {
  type: string;
  rootfs?: string[];
  o?: string;
  size?: string;
  extra?: string;
  label?: string;
  uuid?: string;
  'block-size'?: number;
  'inode-size'?: number;
  inodes?: number;
  'inode-ratio'?: number;
  'reserved-percent'?: number;
  features?: string;
  'journal-size'?: string;
  'no-holes'?: boolean;
  'preserve-owner'?: boolean;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  seed?: string;
}

function journalSize(text: string | undefined): number | 'none' | undefined {
  if (text === undefined) return undefined;
  if (text === 'none' || text === '0') return 'none';
  return parseSize(text, '--journal-size');
}

function extra(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /%\s*$/.test(text) ? text : parseSize(text, '--extra');
}

export const mkfsCommand: CommandModule<object, MkfsArgs> = {
  command: 'mkfs <type> [rootfs..]',
  describe: 'Write one filesystem (ext4) from tarballs or directories into a file',
  builder: (y) =>
    withSeed(withQuiet(y))
      .positional('type', { choices: ['ext4', 'vfat', 'swap'] as const, describe: 'Filesystem type', demandOption: true })
      .positional('rootfs', { type: 'string', array: true, describe: 'Tarballs (.tar, .tar.gz, .tar.xz, .tar.zst) or directories, layered in order' })
      .option('o', { type: 'string', describe: 'Output file', demandOption: true })
      .option('size', { type: 'string', describe: 'Filesystem size (e.g. 2GiB); default: what the content needs plus --extra' })
      .option('extra', { type: 'string', describe: 'Headroom for the automatic size: a size or a percentage of the content (default 10%)' })
      .option('label', { type: 'string', describe: 'Volume label (at most 16 bytes)' })
      .option('uuid', { type: 'string', describe: 'Filesystem UUID; default: derived from --seed' })
      .option('block-size', { type: 'number', describe: 'Block size: 1024, 2048 or 4096 (default)' })
      .option('inode-size', { type: 'number', describe: 'Inode size: 128 or 256 (default)' })
      .option('inodes', { type: 'number', describe: 'Number of inodes (default: one per --inode-ratio bytes, at least the content needs)' })
      .option('inode-ratio', { type: 'number', describe: 'Bytes per inode (default 16384)' })
      .option('reserved-percent', { type: 'number', describe: 'Blocks reserved for root, in percent (default 5)' })
      .option('features', { type: 'string', describe: 'ext4 (Debian 12 defaults), ext4-legacy (no 64bit, no metadata_csum), ext3 or ext2; optionally ",^feature" to drop one' })
      .option('journal-size', { type: 'string', describe: 'Journal size (e.g. 64MiB) or "none"; default as mke2fs picks by size' })
      .option('no-holes', { type: 'boolean', describe: 'Write sparse files in full (bootloaders cannot read holes)' })
      .option('preserve-owner', { type: 'boolean', describe: "Directory inputs: keep the host's uid/gid instead of root" })
      .option('force', { type: 'boolean', describe: 'Overwrite the output if it exists' })
      .option('json', { type: 'boolean', describe: 'Print the summary as JSON' })
      .example('$0 mkfs ext4 rootfs.tar.zst -o root.ext4', 'an ext4 image sized to its content')
      .example('$0 mkfs ext4 base.tar overlay/ -o root.ext4 --size 2GiB --label cloudimg-rootfs --seed build-42', 'layers, fixed size, reproducible'),
  handler: (argv) =>
    runCommand(async () => {
      if (argv.type !== 'ext4') throw failure(`mkfs ${argv.type}: not built yet in the CLI`, 'only mkfs ext4 is wired so far');
      const output = argv.o!;
      const seed = resolveSeed(argv.seed);
      const epoch = resolveEpoch();
      const options: Ext4Options = {
        seed,
        time: epoch,
        blockSize: argv['block-size'],
        inodeSize: argv['inode-size'],
        inodes: argv.inodes,
        inodeRatio: argv['inode-ratio'],
        reservedPercent: argv['reserved-percent'],
        label: argv.label,
        uuid: argv.uuid,
        features: argv.features,
        journalSize: journalSize(argv['journal-size']),
        extra: extra(argv.extra),
        noHoles: Boolean(argv['no-holes']),
      };
      const out = new AtomicOutput(output, { force: Boolean(argv.force) });
      const rootfs = await readRootfs(argv.rootfs ?? [], { tmpDir: tmpdir(), defaultTime: { sec: epoch, nsec: 0 }, preserveOwner: Boolean(argv['preserve-owner']) }).catch((e) => {
        out.abort();
        throw e;
      });
      try {
        const plan = planExt4(rootfs.tree, options);
        const size = argv.size !== undefined ? parseSize(argv.size, '--size') : autoSize(plan, options);
        const progress = startProgress(`mkfs ext4 ${output}`, { quiet: Boolean(argv.quiet) });
        const result = await writeAtomically([out], () => {
          const disk = FileDisk.create(out.tempPath, size);
          try {
            return writeExt4(disk, rootfs.tree, { ...options, onProgress: (done, total) => progress.update(done, total) }, plan);
          } finally {
            disk.close();
          }
        });
        progress.finish();
        const summary = {
          output,
          size: result.blocksCount * result.blockSize,
          files: result.files,
          bytes: result.bytes,
          inodesUsed: result.inodesUsed,
          inodesTotal: result.inodesCount,
          blocksUsed: result.blocksUsed,
          blocksTotal: result.blocksCount,
          blockSize: result.blockSize,
          uuid: result.uuid,
        };
        if (argv.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else {
          process.stdout.write(
            `${output}: ext4 ${formatSize(summary.size)}, ${summary.files} files (${formatSize(summary.bytes)}), ` +
              `inodes ${summary.inodesUsed}/${summary.inodesTotal}, blocks ${summary.blocksUsed}/${summary.blocksTotal} of ${summary.blockSize} bytes, UUID ${summary.uuid}\n`,
          );
        }
      } finally {
        rootfs.cleanup();
      }
    }),
};
