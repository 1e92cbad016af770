/**
 * The -t types written from the merged tree alone, never from a disk: the rootfs tarball (tar, tgz),
 * DIB's ramdisk (NAME.initramfs + NAME.kernel), and container images (NAME.docker.tar, NAME.oci.tar).
 * Each writes into the temp paths its caller's AtomicOutputs lend, so that every output of an
 * assembly is committed together, or none.
 */
import { inputError } from '../errors.js';
import { checkRamdiskTree, writeRamdiskTo, type CpioCompression } from '../fs/cpio/index.js';
import { parseImageReference, writeDockerArchive, writeOciArchive } from '../oci/index.js';
import type { FileTree } from '../tree/index.js';
import { writeTarballTo, type TreeOutputType } from './outputs.js';

/** gzip level of the initramfs: 9 took ~6 min on a Debian tree on a loaded machine, for a few percent. */
export const RAMDISK_GZIP_LEVEL = 6;

export interface TreeOutputSettings {
  /** SOURCE_DATE_EPOCH: every time written (mtimes are clamped to it in the initramfs). */
  readonly epoch: number;
  /** DIB's --docker-target "repository[:tag]": required by -t docker, names the -t oci image too. */
  readonly dockerTarget?: string | undefined;
  readonly ramdiskCompression?: CpioCompression | undefined;
  readonly ramdiskLevel?: number | undefined;
  readonly onWarning: (message: string) => void;
  /** Progress of the long ones (the compressed initramfs): (bytes done, bytes in all). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** The input errors tree outputs would hit, raised before any output (or the disk) is written. */
export function checkTreeOutputs(tree: FileTree, types: readonly string[], s: TreeOutputSettings): void {
  if (types.includes('docker') && (s.dockerTarget === undefined || s.dockerTarget.trim() === '')) {
    throw inputError('-t docker needs --docker-target', 'name the image as DIB does: --docker-target repository[:tag], e.g. --docker-target myimage:latest');
  }
  if (s.dockerTarget !== undefined && (types.includes('docker') || types.includes('oci'))) parseImageReference(s.dockerTarget);
  if (types.includes('ramdisk')) checkRamdiskTree(tree);
}

/** Writes one tree type into `paths` (one path; two for ramdisk: initramfs, kernel). */
export async function writeTreeOutput(tree: FileTree, type: TreeOutputType, paths: readonly string[], s: TreeOutputSettings): Promise<void> {
  const target = s.dockerTarget === undefined || s.dockerTarget.trim() === '' ? undefined : s.dockerTarget;
  switch (type) {
    case 'tar':
    case 'tgz':
      await writeTarballTo(tree, paths[0]!, s.epoch, type === 'tgz');
      return;
    case 'docker':
      // The path is our temp file: writeDockerArchive's own temp-and-rename lands on it.
      writeDockerArchive(tree, paths[0]!, { epoch: s.epoch, target: target!, force: true });
      return;
    case 'oci':
      writeOciArchive(tree, paths[0]!, { epoch: s.epoch, ...(target ? { target } : {}), force: true });
      return;
    case 'ramdisk': {
      const compression = s.ramdiskCompression ?? 'gzip';
      const level = s.ramdiskLevel ?? (compression === 'gzip' ? RAMDISK_GZIP_LEVEL : undefined);
      const r = await writeRamdiskTo(tree, paths[0]!, paths[1]!, { epoch: s.epoch, compression, ...(level !== undefined ? { level } : {}), ...(s.onProgress ? { onProgress: s.onProgress } : {}) });
      if (r.droppedXattrs.length > 0) {
        const shown = r.droppedXattrs.slice(0, 3).map((n) => (n.startsWith('/') ? n : `/${n}`));
        s.onWarning(
          `warning: the initramfs drops the extended attributes of ${r.droppedXattrs.length} file${r.droppedXattrs.length === 1 ? '' : 's'} (newc cannot carry them; e.g. ${shown.join(', ')}${r.droppedXattrs.length > 3 ? ', ...' : ''}): file capabilities and SELinux labels are lost`,
        );
      }
      return;
    }
  }
}
