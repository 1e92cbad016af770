/**
 * `tsdib build [ELEMENT...] -o NAME`: disk-image-create without root. Reads the arguments, DIB's
 * environment variables, the clock and the seed (the edges); the work is src/build's `build()`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { OUTPUT_TYPES, parseOutputTypes } from '../assemble/index.js';
import { build, CHROOT_MODES, type ChrootMode } from '../build/index.js';
import { inputError } from '../errors.js';
import { removePendingTemps } from '../output.js';
import { startProgress } from '../progress.js';
import { formatSize, parseImageSize, parseSize } from '../size.js';
import { CPIO_COMPRESSIONS, type CpioCompression } from '../fs/cpio/index.js';
import { checkRamdiskLevel, splitOutputArgs } from './assemble.js';
import { resolveEpoch, resolveSeed, runCommand, withQuiet, withSeed } from './common.js';

interface BuildArgs {
  elements?: string[];
  output?: string | string[];
  type?: string;
  ramdisk?: boolean;
  'ramdisk-compression'?: CpioCompression;
  'ramdisk-level'?: number;
  arch?: string;
  x?: number;
  u?: boolean;
  n?: boolean;
  p?: string | string[];
  'image-size'?: string;
  'image-extra-size'?: string;
  'mkfs-options'?: string;
  'root-label'?: string;
  'fs-type'?: string;
  'qemu-img-options'?: string;
  checksum?: boolean;
  compress?: boolean;
  'install-type'?: string;
  'elements-path'?: string;
  chroot: ChrootMode;
  logfile?: string;
  force?: boolean;
  seed?: string;
  quiet?: boolean;
}

/** DIB's --image-extra-size / DIB_IMAGE_EXTRA_SIZE: a bare number is MB (dib.md §4.1); DIB syntax otherwise. */
export function parseExtraSize(text: string, where: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text) * 1024 * 1024 : parseSize(text, where);
}

/** -p a,b -p c → [a, b, c] (DIB's INSTALL_PACKAGES). */
export function parsePackageList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(/[,\s]+/)).filter((p) => p !== '');
}

/** -o NAME with exactly one -t: a trailing .<type> is stripped, as DIB does. */
export function stripTypeSuffix(name: string, types: readonly string[]): string {
  return types.length === 1 && name.endsWith(`.${types[0]}`) ? name.slice(0, -types[0]!.length - 1) : name;
}

export const buildCommand: CommandModule<object, BuildArgs> = {
  command: 'build [elements..]',
  describe: 'Build an image from DIB elements, without root (disk-image-create compatible)',
  builder: (y: Argv) =>
    withSeed(withQuiet(y))
      .positional('elements', { type: 'string', array: true, describe: 'Elements to include (base is added unless -n)' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'Image name (writes NAME.<type>) [default: image]; -o key=value passes encoder options' })
      .option('type', { alias: 't', type: 'string', describe: `Image types, comma-separated: ${OUTPUT_TYPES.join(', ')} [default: $IMAGE_TYPES, else qcow2]` })
      .option('ramdisk', { type: 'boolean', describe: 'Like DIB\'s ramdisk-image-create: NAME.initramfs + NAME.kernel (means -t ramdisk unless -t is given); the tree needs an executable /init and a /boot/vmlinuz-*' })
      .option('ramdisk-compression', { type: 'string', choices: CPIO_COMPRESSIONS, default: 'gzip', describe: 'Compression of NAME.initramfs, as tsdib assemble takes it' })
      .option('ramdisk-level', { type: 'number', describe: 'Its level: gzip 0-9, xz 0-9, zstd 1-22 [default: gzip 6, xz 6, zstd 19]' })
      .option('arch', { alias: 'a', type: 'string', describe: 'Target architecture (DIB names: amd64, arm64 ...) [default: $ARCH, else the host]' })
      .option('x', { type: 'boolean', count: true, describe: 'Trace scripts (DIB_DEBUG_TRACE; repeat for more)' })
      .option('u', { type: 'boolean', describe: 'Uncompressed qcow2 (the default in tsdib; accepted for DIB compatibility)' })
      .option('n', { type: 'boolean', describe: 'Do not add the base element' })
      .option('p', { type: 'string', requiresArg: true, describe: 'Extra packages to install after install.d (comma-separated, repeatable)' })
      .option('image-size', { type: 'string', describe: 'Disk size; a bare number is GB, as DIB [default: $DIB_IMAGE_SIZE, else what the filesystems need]' })
      .option('image-extra-size', { type: 'string', describe: 'Room added to the automatic root size; a bare number is MB, as DIB_IMAGE_EXTRA_SIZE [default: $DIB_IMAGE_EXTRA_SIZE, else 10%]' })
      .option('mkfs-options', { type: 'string', describe: 'mkfs options of mkfs_root; write it with "=": --mkfs-options="-i 16384"' })
      .option('root-label', { type: 'string', describe: 'Root filesystem label [default: $ROOT_LABEL, else cloudimg-rootfs]' })
      .option('fs-type', { type: 'string', describe: 'Root filesystem type: ext4, ext3, ext2 [default: $FS_TYPE, else ext4]' })
      .option('qemu-img-options', { type: 'string', describe: 'Encoder options (compat=0.10,cluster_size=2M ...) [default: $QEMU_IMG_OPTIONS]' })
      .option('checksum', { type: 'boolean', describe: 'Also write NAME.<type>.sha256 and .md5 [default: $DIB_CHECKSUM]' })
      .option('compress', { alias: 'c', type: 'boolean', describe: 'Compress qcow2 clusters' })
      .option('install-type', { type: 'string', describe: 'Default install type (DIB_DEFAULT_INSTALLTYPE) [default: source]' })
      .option('elements-path', { type: 'string', describe: 'Element directories, colon-separated, earlier win [default: $ELEMENTS_PATH]; the shipped elements come last' })
      .option('chroot', { type: 'string', choices: CHROOT_MODES, default: 'auto', describe: 'How in-image scripts run: userns (user namespace), proot, none (no chroot phases); auto tries them in that order' })
      .option('logfile', { type: 'string', describe: 'Write every script\'s output here [default: NAME.log]' })
      .option('force', { type: 'boolean', describe: 'Overwrite existing outputs' })
      .example('$0 build -o demo demo', 'demo.qcow2 from the shipped demo element: no network, no root')
      .example('$0 build --ramdisk -o deploy my-ramdisk-element', 'deploy.initramfs + deploy.kernel, as ramdisk-image-create -o deploy would write')
      .example('$0 build -o img -t raw,qcow2 debian-minimal vm devuser openssh-server', 'a bootable Debian image, built as a normal user') as unknown as Argv<BuildArgs>,
  handler: (args: ArgumentsCamelCase<BuildArgs>) =>
    runCommand(async () => {
      const env = process.env;
      const elements = args.elements ?? [];
      if (elements.length === 0) throw inputError('At least one element must be specified', 'e.g. tsdib build -o demo demo (tsdib elements lists them)');
      checkRamdiskLevel(args['ramdisk-compression'], args['ramdisk-level']);
      const types = parseOutputTypes(args.type ?? (args.ramdisk ? 'ramdisk' : undefined) ?? env['IMAGE_TYPES'] ?? 'qcow2');
      // -o is a single-valued option (repeatable): DIB's `-o NAME ELEMENT...` leaves the elements positional.
      const outputs = args.output === undefined ? ['image'] : ([] as string[]).concat(args.output);
      const split = splitOutputArgs(outputs.some((o) => !o.includes('=')) ? outputs : ['image', ...outputs], args['qemu-img-options'] ?? env['QEMU_IMG_OPTIONS']);
      const name = stripTypeSuffix(split.name, types);
      const sizeText = args['image-size'] ?? env['DIB_IMAGE_SIZE'];
      const imageSize = sizeText === undefined || sizeText === '' ? undefined : parseImageSize(sizeText);
      const extraText = args['image-extra-size'] ?? env['DIB_IMAGE_EXTRA_SIZE'];
      const extraSize = extraText === undefined || extraText === '' ? undefined : parseExtraSize(extraText, args['image-extra-size'] !== undefined ? '--image-extra-size' : 'DIB_IMAGE_EXTRA_SIZE');
      const quiet = Boolean(args.quiet);
      const seed = resolveSeed(args.seed);
      const epoch = resolveEpoch();
      const checksumEnv = env['DIB_CHECKSUM'];
      const logPath = args.logfile ?? env['LOGFILE'] ?? `${name}.log`;
      const logFd = openSync(logPath, 'w');
      let cleanupNow: (() => void) | undefined;
      // Ctrl-C / SIGTERM: remove the build directory (inside the namespace) and any output temps, then die
      // of the same signal.
      const onSignal = (signal: NodeJS.Signals) => {
        cleanupNow?.();
        removePendingTemps();
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const say = (line: string) => {
        writeSync(logFd, `tsdib: ${line}\n`);
        if (!quiet) process.stderr.write(`tsdib: ${line}\n`);
      };
      try {
        const result = await build({
          elements,
          name,
          types,
          arch: args.arch ?? env['ARCH'],
          debugTrace: (args.x ?? 0) + Number(env['DIB_DEBUG_TRACE'] ?? 0),
          skipBase: Boolean(args.n) || env['SKIP_BASE'] === '1',
          packages: parsePackageList(args.p !== undefined ? ([] as string[]).concat(args.p) : env['INSTALL_PACKAGES'] ? [env['INSTALL_PACKAGES']] : []),
          imageSize,
          extraSize,
          fsType: args['fs-type'] ?? env['FS_TYPE'],
          rootLabel: args['root-label'] ?? env['ROOT_LABEL'],
          mkfsOptions: args['mkfs-options'],
          checksum: Boolean(args.checksum) || (checksumEnv !== undefined && checksumEnv !== '' && checksumEnv !== '0'),
          compress: Boolean(args.compress) && !args.u,
          ramdiskCompression: args['ramdisk-compression'],
          ramdiskLevel: args['ramdisk-level'],
          formatOptions: Object.keys(split.options).length > 0 ? split.options : undefined,
          force: Boolean(args.force),
          installType: args['install-type'],
          elementsPath: args['elements-path'],
          chroot: args.chroot,
          env,
          seed,
          epoch,
          log: (text) => writeSync(logFd, text),
          status: say,
          onWarning: (m) => say(m),
          progress: (label) => startProgress(label, { quiet }),
          onCleanup: (c) => {
            cleanupNow = c;
          },
        });
        const plan = result.assemble.plan;
        const lines = [`elements: ${result.elements.join(' ')}`, `scripts run: ${result.scriptsRun} (${result.executor})`, ...(plan ? [`disk: ${formatSize(plan.size)}${plan.table ? `, ${plan.table.scheme}` : ''}`] : [])];
        for (const o of result.assemble.outputs) lines.push(`wrote ${o.path}`);
        lines.push(`log: ${logPath}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (e) {
        say(`build failed; the full log is ${logPath}`);
        throw e;
      } finally {
        closeSync(logFd);
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    }),
};
