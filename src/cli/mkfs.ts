/**
 * tsdib mkfs ext4|vfat|swap ROOTFS... -o FILE: one filesystem image from tarballs or directories
 * (layered in order), sized to its content unless --size is given. Output is atomic; ids come from
 * --seed and timestamps from SOURCE_DATE_EPOCH, so the same inputs give the same bytes.
 */
import { tmpdir } from 'node:os';
import type { CommandModule } from 'yargs';
import { FileDisk } from '../disk/index.js';
import { inputError } from '../errors.js';
import { autoSize, planExt4, warmUpForInputs, writeExt4, type Ext4Options } from '../fs/ext4/index.js';
import type { FatType } from '../fs/fat/constants.js';
import { AtomicOutput, writeAtomically } from '../output.js';
import { startProgress, type Progress } from '../progress.js';
import { deriveUint32, deriveUuid } from '../seed.js';
import { formatSize, parseSize } from '../size.js';
import { readRootfs } from '../tar/index.js';
import { FileTree } from '../tree/index.js';
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
  'fat-type'?: number;
  lenient?: boolean;
  'preserve-owner'?: boolean;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  seed?: string;
}

/** What every filesystem type reports; printed as one line, or as JSON with --json. */
interface Summary {
  output: string;
  type: string;
  size: number;
  files: number;
  bytes: number;
  uuid: string;
  [more: string]: string | number;
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

/** Creates the output file of `size` bytes, runs `write` on it, and renames it into place (or removes it). */
function writeImage<T>(out: AtomicOutput, size: number, write: (disk: FileDisk) => T): Promise<T> {
  return writeAtomically([out], () => {
    const disk = FileDisk.create(out.tempPath, size);
    try {
      return write(disk);
    } finally {
      disk.close();
    }
  });
}

async function mkfsExt4(argv: MkfsArgs, tree: FileTree, out: AtomicOutput, seed: string, epoch: number, progress: Progress): Promise<Summary> {
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
  const plan = planExt4(tree, options);
  const size = argv.size !== undefined ? parseSize(argv.size, '--size') : autoSize(plan, options);
  const r = await writeImage(out, size, (disk) => writeExt4(disk, tree, { ...options, onProgress: (done, total) => progress.update(done, total) }, plan));
  return {
    output: argv.o!,
    type: 'ext4',
    size: r.blocksCount * r.blockSize,
    files: r.files,
    bytes: r.bytes,
    uuid: r.uuid,
    inodesUsed: r.inodesUsed,
    inodesTotal: r.inodesCount,
    blocksUsed: r.blocksUsed,
    blocksTotal: r.blocksCount,
    blockSize: r.blockSize,
  };
}

// The FAT and swap writers are loaded when asked for (start-up time of `mkfs ext4`).
async function mkfsVfat(argv: MkfsArgs, tree: FileTree, out: AtomicOutput, seed: string, epoch: number, progress: Progress): Promise<Summary> {
  const { planFat, writeFat } = await import('../fs/fat/index.js');
  const fatType = argv['fat-type'];
  if (fatType !== undefined && ![12, 16, 32].includes(fatType)) throw inputError(`--fat-type ${fatType}: use 12, 16 or 32`);
  const type = fatType as FatType | undefined;
  const lenient = Boolean(argv.lenient);
  const warn = (m: string) => process.stderr.write(`tsdib: warning: ${m}\n`);
  const plan = planFat(tree, { type, label: argv.label, lenient, onWarning: () => {} });
  const size = argv.size !== undefined ? parseSize(argv.size, '--size') : plan.size;
  const serial = deriveUint32(seed, 'mkfs/vfat serial');
  const r = await writeImage(out, size, (disk) =>
    writeFat(disk, tree, { serial, label: argv.label, time: epoch, type, lenient, onWarning: warn, onProgress: (done, total) => progress.update(done, total) }),
  );
  const hex = serial.toString(16).padStart(8, '0').toUpperCase();
  return {
    output: argv.o!,
    type: `vfat (FAT${r.geometry.type})`,
    size,
    files: plan.content.fileSizes.length,
    bytes: plan.content.fileSizes.reduce((a, b) => a + b, 0),
    uuid: `${hex.slice(0, 4)}-${hex.slice(4)}`,
    clustersUsed: r.usedClusters,
    clustersFree: r.freeClusters,
    skipped: r.skipped.length,
  };
}

async function mkfsSwap(argv: MkfsArgs, out: AtomicOutput, seed: string): Promise<Summary> {
  const { SWAP_MIN_PAGES, SWAP_PAGE_SIZE, writeSwap } = await import('../fs/swap.js');
  if (argv.size === undefined) throw inputError('mkfs swap needs --size', `e.g. --size 1GiB (at least ${SWAP_MIN_PAGES * SWAP_PAGE_SIZE} bytes)`);
  const size = parseSize(argv.size, '--size');
  const uuid = argv.uuid ?? deriveUuid(seed, 'mkfs/swap uuid');
  const r = await writeImage(out, size, (disk) => writeSwap(disk, { uuid, label: argv.label }));
  return { output: argv.o!, type: 'swap', size, files: 0, bytes: 0, uuid, pages: r.pages };
}

function summaryLine(s: Summary): string {
  const head = `${s.output}: ${s.type} ${formatSize(s.size)}`;
  if (s.type === 'swap') return `${head}, ${s['pages']} pages, UUID ${s.uuid}`;
  if (s.type === 'ext4') {
    return `${head}, ${s.files} files (${formatSize(s.bytes)}), inodes ${s['inodesUsed']}/${s['inodesTotal']}, blocks ${s['blocksUsed']}/${s['blocksTotal']} of ${s['blockSize']} bytes, UUID ${s.uuid}`;
  }
  return `${head}, ${s.files} files (${formatSize(s.bytes)}), clusters ${s['clustersUsed']} used, ${s['clustersFree']} free, serial ${s.uuid}`;
}

export const mkfsCommand: CommandModule<object, MkfsArgs> = {
  command: 'mkfs <type> [rootfs..]',
  describe: 'Write one filesystem (ext4, vfat, swap) from tarballs or directories into a file',
  builder: (y) =>
    withSeed(withQuiet(y))
      .positional('type', { choices: ['ext4', 'vfat', 'swap'] as const, describe: 'Filesystem type', demandOption: true })
      .positional('rootfs', { type: 'string', array: true, describe: 'Tarballs (.tar, .tar.gz, .tar.xz, .tar.zst) or directories, layered in order' })
      .option('o', { type: 'string', describe: 'Output file', demandOption: true })
      .option('size', { type: 'string', describe: 'Filesystem size (e.g. 2GiB); default: what the content needs (ext4: plus --extra)' })
      .option('extra', { type: 'string', describe: 'ext4: headroom for the automatic size, a size or a percentage of the content (default 10%)' })
      .option('label', { type: 'string', describe: 'Volume label (ext4 and swap: 16 bytes, vfat: 11 characters)' })
      .option('uuid', { type: 'string', describe: 'ext4, swap: UUID; default: derived from --seed' })
      .option('block-size', { type: 'number', describe: 'ext4: block size, 1024, 2048 or 4096 (default)' })
      .option('inode-size', { type: 'number', describe: 'ext4: inode size, 128 or 256 (default)' })
      .option('inodes', { type: 'number', describe: 'ext4: number of inodes (default: one per --inode-ratio bytes, at least the content needs)' })
      .option('inode-ratio', { type: 'number', describe: 'ext4: bytes per inode (default 16384)' })
      .option('reserved-percent', { type: 'number', describe: 'ext4: blocks reserved for root, in percent (default 5)' })
      .option('features', { type: 'string', describe: 'ext4: ext4 (Debian 12 defaults), ext4-legacy (no 64bit, no metadata_csum), ext3 or ext2; then ",^feature" to drop one or ",feature" to add one' })
      .option('journal-size', { type: 'string', describe: 'ext4: journal size (e.g. 64MiB) or "none"; default as mke2fs picks by size' })
      .option('no-holes', { type: 'boolean', describe: 'ext4: write sparse files in full (bootloaders cannot read holes)' })
      .option('fat-type', { type: 'number', describe: 'vfat: 12, 16 or 32; default FAT32 from 64 MiB, else FAT16, else FAT12' })
      .option('lenient', { type: 'boolean', describe: 'vfat: skip, with a warning, what FAT cannot hold (symlinks, devices) instead of failing' })
      .option('preserve-owner', { type: 'boolean', describe: "Directory inputs: keep the host's uid/gid instead of root" })
      .option('force', { type: 'boolean', describe: 'Overwrite the output if it exists' })
      .option('json', { type: 'boolean', describe: 'Print the summary as JSON' })
      .example('$0 mkfs ext4 rootfs.tar.zst -o root.ext4', 'an ext4 image sized to its content')
      .example('$0 mkfs ext4 base.tar overlay/ -o root.ext4 --size 2GiB --label cloudimg-rootfs --seed build-42', 'layers, fixed size, reproducible')
      .example('$0 mkfs vfat esp/ -o esp.img --size 64MiB --label ESP', 'an EFI system partition image')
      .example('$0 mkfs swap -o swap.img --size 1GiB', 'a swap area'),
  handler: (argv) =>
    runCommand(async () => {
      const seed = resolveSeed(argv.seed);
      const epoch = resolveEpoch();
      const out = new AtomicOutput(argv.o!, { force: Boolean(argv.force) });
      let summary: Summary;
      if (argv.type === 'swap') {
        if ((argv.rootfs ?? []).length > 0) throw inputError('mkfs swap takes no rootfs inputs', 'a swap area holds no files');
        summary = await mkfsSwap(argv, out, seed);
      } else {
        // vfat may be made empty; ext4 needs content (an empty ext4 is `--size N` with an empty directory).
        const inputs = argv.rootfs ?? [];
        if (argv.type === 'ext4') warmUpForInputs(inputs);
        const rootfs =
          argv.type === 'vfat' && inputs.length === 0
            ? { tree: new FileTree({ sec: epoch, nsec: 0 }), cleanup: () => {} }
            : await readRootfs(inputs, { tmpDir: tmpdir(), defaultTime: { sec: epoch, nsec: 0 }, preserveOwner: Boolean(argv['preserve-owner']) }).catch((e: unknown) => {
                out.abort();
                throw e;
              });
        try {
          const progress = startProgress(`mkfs ${argv.type} ${argv.o}`, { quiet: Boolean(argv.quiet) });
          summary = argv.type === 'ext4' ? await mkfsExt4(argv, rootfs.tree, out, seed, epoch, progress) : await mkfsVfat(argv, rootfs.tree, out, seed, epoch, progress);
          progress.finish();
        } finally {
          rootfs.cleanup();
        }
      }
      process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : `${summaryLine(summary)}\n`);
    }),
};
