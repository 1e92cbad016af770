/**
 * `tsdib assemble ROOTFS... -o NAME`: rootfs tarballs or directories, layered in order, onto a DIB
 * block-device layout (preset, YAML file, or DIB_BLOCK_DEVICE_CONFIG), written as NAME.<type> for
 * each -t type. The work is src/assemble's `assemble()`; this file reads arguments, the
 * environment, the clock and the seed (the edges), and prints the summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { assemble, OUTPUT_TYPES, TREE_TYPES, parseOutputTypes, type AssembleResult, type BootloaderChoice } from '../assemble/index.js';
import { inputError } from '../errors.js';
import { BOOT_ROUTES } from '../boot/index.js';
import { parseOptionList } from '../formats/index.js';
import { isPresetName, layoutFromEnv, parseLayout, presetLayout, type Layout } from '../layout/index.js';
import { startProgress } from '../progress.js';
import { formatSize, parseImageSize, parseSize } from '../size.js';
import { readRootfs, type Rootfs } from '../tar/index.js';
import { FileTree } from '../tree/index.js';
import { expandContainerInputs, renameLayers, type ExpandedInputs } from '../assemble/container-input.js';
import { findKernel } from '../boot/index.js';
import { CPIO_COMPRESSIONS, type CpioCompression } from '../fs/cpio/index.js';
import { warmUpForInputs } from '../fs/ext4/index.js';
import { kernelAdvice, requireImageKernel } from '../oci/index.js';
import { resolveEpoch, resolveSeed, runCommand, withQuiet, withSeed } from './common.js';

interface AssembleArgs {
  rootfs?: string[];
  output: string[];
  type: string;
  'block-device'?: string;
  'image-size'?: string;
  'image-extra-size'?: string;
  'fs-type'?: string;
  'root-label'?: string;
  'mkfs-options'?: string;
  'qemu-img-options'?: string;
  bootloader: BootloaderChoice;
  cmdline?: string;
  compress?: boolean;
  checksum?: boolean;
  lenient?: boolean;
  'preserve-owner'?: boolean;
  seed?: string;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
  'docker-target'?: string;
  'ramdisk-compression'?: CpioCompression;
  'ramdisk-level'?: number;
}

export const BOOTLOADERS: readonly BootloaderChoice[] = BOOT_ROUTES;

/**
 * The layout: --block-device (a preset or a YAML file), else DIB_BLOCK_DEVICE_CONFIG (file:///path
 * or inline YAML, as DIB reads it), else the mbr preset.
 */
export function loadLayout(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): Layout {
  if (spec === undefined) return layoutFromEnv(env) ?? presetLayout('mbr');
  if (isPresetName(spec)) return presetLayout(spec);
  if (!existsSync(spec)) throw inputError(`--block-device ${spec}: neither a preset (mbr, gpt, efi, none) nor a YAML file`, 'name a preset or an existing file');
  return parseLayout(readFileSync(spec, 'utf8'), spec);
}

/** `-o NAME` and qemu-img's `-o key=value,...` share the letter: values with "=" are encoder options. */
export function splitOutputArgs(values: readonly string[], qemuImgOptions: string | undefined): { name: string; options: Record<string, string> } {
  const names = values.filter((v) => !/^[A-Za-z_][A-Za-z0-9_-]*=/.test(v));
  const options = { ...parseOptionList(qemuImgOptions) };
  for (const v of values) if (!names.includes(v)) Object.assign(options, parseOptionList(v));
  if (names.length === 0) throw inputError('-o NAME is missing', 'give the image name: -o disk writes disk.qcow2');
  if (names.length > 1) throw inputError(`-o given ${names.length} names (${names.join(', ')})`, 'give one image name; encoder options are key=value');
  return { name: names[0]!, options };
}

function textSummary(r: AssembleResult): string {
  const p = r.plan;
  if (!p) return r.outputs.map((o) => `wrote ${o.path}`).join('\n');
  const table = p.table ? `${p.table.scheme}, ${p.partitions.length} partition${p.partitions.length === 1 ? '' : 's'}` : 'no partition table';
  const lines = [`disk: ${formatSize(p.size)}, ${table}`];
  for (const part of p.partitions) {
    const fs = r.filesystems.find((f) => f.device === part.name);
    const what = fs ? `  ${fs.type} ${fs.label}${fs.mountPoint ? ` on ${fs.mountPoint}` : ''}${fs.files ? `, ${fs.files} files` : ''}` : '';
    lines.push(`  ${part.number}  ${part.name}  offset ${part.offset}  ${formatSize(part.size)}${what}`);
  }
  if (!p.table) for (const fs of r.filesystems) lines.push(`  ${fs.type} ${fs.label} on ${fs.mountPoint ?? '-'}, ${fs.files} files`);
  if (r.boot) lines.push(`bootloader: BIOS ${r.boot.bios}, UEFI ${r.boot.uefi}${r.boot.kernel ? `, kernel ${r.boot.kernel}` : ''}`);
  for (const o of r.outputs) lines.push(`wrote ${o.path}`);
  return lines.join('\n');
}

function jsonSummary(r: AssembleResult): string {
  return JSON.stringify(
    {
      size: r.plan?.size ?? null,
      sectorSize: r.plan?.sectorSize ?? null,
      scheme: r.plan ? (r.plan.table?.scheme ?? 'none') : null,
      partitions: r.plan?.partitions ?? [],
      filesystems: r.filesystems,
      fstab: r.fstab,
      boot: r.boot ?? null,
      outputs: r.outputs,
    },
    null,
    2,
  );
}

export const assembleCommand: CommandModule<object, AssembleArgs> = {
  command: 'assemble [rootfs..]',
  describe: 'Assemble rootfs tarballs or container images and a DIB block-device layout into disk images, ramdisks and container images',
  builder: (y: Argv) =>
    withSeed(withQuiet(y))
      .positional('rootfs', { type: 'string', array: true, describe: 'Root filesystems: .tar, .tar.gz, .tar.xz, .tar.zst or directories, or container images (docker-archive, OCI archive or layout, maybe compressed: their layers in order, whiteouts applied; PATH:REF picks one image of several), layered in order (none: empty filesystems)' })
      .option('output', { alias: 'o', type: 'string', array: true, demandOption: true, describe: 'Image name (writes NAME.<type>); -o key=value passes options to the image encoders, as qemu-img -o' })
      .option('type', { alias: 't', type: 'string', default: 'qcow2', describe: `Image types, comma-separated: ${OUTPUT_TYPES.join(', ')}` })
      .option('block-device', { type: 'string', describe: 'Layout: a preset (mbr, gpt, efi, none) or a DIB block-device YAML file [default: $DIB_BLOCK_DEVICE_CONFIG, else mbr]' })
      .option('image-size', { type: 'string', describe: 'Disk size in DIB syntax (10GiB, 500M); a bare number is GiB, as in DIB [default: what the filesystems need]' })
      .option('image-extra-size', { type: 'string', describe: 'Room added to the root filesystem of an automatic size (e.g. 512MiB; a bare number is MiB, as DIB_IMAGE_EXTRA_SIZE) [default: 10% of its content]' })
      .option('fs-type', { type: 'string', describe: 'Type of mkfs_root when the layout does not set one: ext4 (default), ext3, ext2' })
      .option('root-label', { type: 'string', describe: 'Label of mkfs_root when the layout does not set one [default: cloudimg-rootfs]' })
      .option('mkfs-options', { type: 'string', describe: 'mkfs options for mkfs_root when the layout does not set opts; write it with "=": --mkfs-options="-i 16384 -J size=64"' })
      .option('qemu-img-options', { type: 'string', describe: 'Encoder options, as DIB --qemu-img-options (e.g. compat=0.10,cluster_size=2M)' })
      .option('bootloader', { type: 'string', choices: BOOTLOADERS, default: 'auto', describe: "Bootloader: auto picks GRUB (BIOS) and shim+GRUB or systemd-boot (UEFI, with an ESP) from the rootfs's packages, or EXTLINUX; auto without a kernel in the rootfs installs none, with a warning" })
      .option('cmdline', { type: 'string', describe: "Extra kernel arguments, after DIB's defaults (console=tty0 console=ttyS0,115200 ... root=LABEL=...)" })
      .option('compress', { alias: 'c', type: 'boolean', describe: 'Compress qcow2 clusters (qemu-img -c); vmdk: streamOptimized' })
      .option('checksum', { type: 'boolean', describe: 'Also write NAME.<type>.sha256 and .md5 (coreutils format)' })
      .option('lenient', { type: 'boolean', describe: 'Skip, with a warning, files a FAT filesystem cannot hold (symlinks, devices) instead of failing' })
      .option('preserve-owner', { type: 'boolean', describe: "Directory inputs: keep the host's uid/gid instead of root" })
      .option('force', { type: 'boolean', describe: 'Overwrite existing outputs' })
      .option('json', { type: 'boolean', describe: 'Print the result as JSON' })
      .option('docker-target', { type: 'string', describe: 'repository[:tag] of the -t docker image (required there, as in DIB) and of -t oci' })
      .option('ramdisk-compression', { type: 'string', choices: CPIO_COMPRESSIONS, default: 'gzip', describe: 'Compression of NAME.initramfs (-t ramdisk); xz and zstd need a kernel built with CONFIG_RD_XZ / CONFIG_RD_ZSTD (Debian\'s is)' })
      .option('ramdisk-level', { type: 'number', describe: 'Compression level of NAME.initramfs: gzip 0-9, xz 0-9, zstd 1-22 [default: gzip 6, xz 6, zstd 19]' })
      .example('$0 assemble rootfs.tar.zst -o disk', 'disk.qcow2: one MBR partition (ext4, label cloudimg-rootfs), sized to the content')
      .example('$0 assemble rootfs.tar --block-device efi -t qcow2,raw --checksum -o disk', 'ESP (FAT32, /boot/efi) + BIOS boot + root on GPT; disk.qcow2, disk.raw and their .sha256/.md5')
      .example('$0 assemble base.tar overlay/ --block-device layout.yaml --image-size 4GiB --seed ci -o disk', 'a DIB YAML layout; with --seed and SOURCE_DATE_EPOCH the bytes are the same every run')
      .example('$0 assemble rootfs.tar -t vhd -o disk -o subformat=fixed', 'encoder options after -o key=value, as qemu-img -o')
      .example('$0 assemble rootfs.tar.zst -t ramdisk -o bm', 'bm.initramfs + bm.kernel (DIB ramdisk-image-create names); the tree needs an executable /init and a kernel in /boot')
      .example('$0 assemble rootfs.tar -t docker,oci --docker-target myimage:1.0 -o img', 'img.docker.tar (docker/podman load) and img.oci.tar (skopeo copy oci-archive:...); no disk is built')
      .example('$0 assemble image.docker.tar --block-device efi -o vm', 'a container image (docker save, podman save, OCI archive/layout) as ROOTFS: its layers in order, then a bootable disk (the image needs a kernel)')
      .example('$0 assemble --block-device efi --image-size 1GiB -t raw -o demo', 'no ROOTFS: the layout with empty filesystems (a quick look at a layout)') as unknown as Argv<AssembleArgs>,
  handler: (args: ArgumentsCamelCase<AssembleArgs>) =>
    runCommand(async () => {
      const types = parseOutputTypes(args.type);
      const { name, options } = splitOutputArgs(args.output, args['qemu-img-options']);
      const layout = loadLayout(args['block-device']);
      const imageSize = args['image-size'] === undefined ? undefined : parseImageSize(args['image-size']);
      const extra = args['image-extra-size'];
      const extraSize = extra === undefined ? undefined : /^\d+$/.test(extra.trim()) ? Number(extra) * 1024 * 1024 : parseSize(extra, '--image-extra-size');
      const quiet = Boolean(args.quiet);
      checkRamdiskLevel(args['ramdisk-compression'], args['ramdisk-level']);
      const seed = resolveSeed(args.seed);
      const epoch = resolveEpoch();
      const inputs = args.rootfs ?? [];
      if (inputs.length === 0 && !quiet) process.stderr.write('tsdib: no ROOTFS given: the filesystems are made empty\n');
      const expanded: ExpandedInputs = inputs.length === 0 ? { paths: [], images: [], layerNames: new Map(), cleanup: () => {} } : await expandContainerInputs(inputs, tmpdir());
      warmUpForInputs(expanded.paths);
      const reading = startProgress('reading rootfs', { quiet });
      let rootfs: Pick<Rootfs, 'tree' | 'cleanup'>;
      try {
        rootfs =
          inputs.length === 0
            ? { tree: new FileTree({ sec: epoch, nsec: 0 }), cleanup: () => {} }
            : await readRootfs(expanded.paths, {
                tmpDir: tmpdir(),
                defaultTime: { sec: epoch, nsec: 0 },
                preserveOwner: Boolean(args['preserve-owner']),
                onProgress: (p) => reading.update(p.done, p.total || undefined),
              });
      } catch (e) {
        expanded.cleanup();
        throw renameLayers(e, expanded.layerNames);
      }
      reading.finish();
      try {
        for (const image of expanded.images) if (!quiet) process.stderr.write(`tsdib: ${image.input}: ${image.kind}, ${image.layers} layer${image.layers === 1 ? '' : 's'}\n`);
        checkImageKernel(rootfs.tree, expanded, types, args.bootloader, quiet);
        const result = await assemble(rootfs.tree, {
          layout,
          name,
          types,
          root: { fsType: args['fs-type'], label: args['root-label'], opts: args['mkfs-options'] },
          imageSize,
          extraSize,
          seed,
          epoch,
          lenient: Boolean(args.lenient),
          checksum: Boolean(args.checksum),
          compress: Boolean(args.compress),
          formatOptions: Object.keys(options).length > 0 ? options : undefined,
          force: Boolean(args.force),
          bootloader: args.bootloader,
          ...(args.cmdline !== undefined ? { cmdline: args.cmdline } : {}),
          onWarning: (m) => process.stderr.write(`tsdib: ${m}\n`),
          progress: (label) => startProgress(label, { quiet }),
          dockerTarget: args['docker-target'],
          ramdiskCompression: args['ramdisk-compression'],
          ramdiskLevel: args['ramdisk-level'],
        });
        if (!quiet && !args.json) for (const m of result.boot?.messages ?? []) process.stderr.write(`tsdib: ${m}\n`);
        process.stdout.write(`${args.json ? jsonSummary(result) : textSummary(result)}\n`);
      } finally {
        rootfs.cleanup();
        expanded.cleanup();
      }
    }),
};

/**
 * A container image rarely has a kernel. When the outputs need one (-t ramdisk, an explicit
 * --bootloader with a disk type), say which packages to add; with --bootloader auto, the disk is
 * still written without a bootloader, and the warning says the same.
 */
function checkImageKernel(tree: FileTree, expanded: ExpandedInputs, types: readonly string[], bootloader: BootloaderChoice, quiet: boolean): void {
  const image = expanded.images.at(-1);
  if (!image || findKernel(tree)) return;
  const wantsDisk = types.some((t) => !(TREE_TYPES as readonly string[]).includes(t));
  if (types.includes('ramdisk') || (wantsDisk && bootloader !== 'auto' && bootloader !== 'none')) requireImageKernel(tree, image.input);
  if (wantsDisk && bootloader === 'auto' && !quiet) process.stderr.write(`tsdib: ${image.input}: the container image has no kernel, the disk will not boot: ${kernelAdvice(tree)}\n`);
}

/** gzip's and xz's levels are 0-9, zstd's 1-22: anything else is a usage error, not a RangeError deep down. */
export function checkRamdiskLevel(compression: CpioCompression | undefined, level: number | undefined): void {
  if (level === undefined) return;
  const [low, high] = compression === 'zstd' ? [1, 22] : [0, 9];
  if (compression === 'none' || !Number.isInteger(level) || level < low || level > high) {
    throw inputError(`--ramdisk-level ${level}: not a level of ${compression ?? 'gzip'} compression`, compression === 'none' ? 'drop --ramdisk-level, or choose gzip, xz or zstd' : `give an integer from ${low} to ${high}`);
  }
}
