/**
 * From a planned disk (src/layout's DiskPlan, the `--block-device` presets or YAML) to the BootLayout
 * prepareBoot needs: which partitions hold /, /boot and /boot/efi, and the BIOS boot partition (GPT
 * type EF02), with their filesystems and labels.
 */
import { inputError } from '../errors.js';
import { DEFAULT_ROOT_LABEL, type DiskPlan } from '../layout/index.js';
import { gptTypeGuid } from '../mbr/index.js';
import type { BootFilesystem } from './fs-support.js';
import type { BootLayout, BootPartitionRef } from './install.js';

const BIOS_BOOT_GUID = gptTypeGuid('EF02');

export interface BootLayoutOptions {
  /** The root filesystem's type when its mkfs node has none (--fs-type; ext4 by default). */
  readonly rootFsType?: string;
  /** The root label when its mkfs node has none (--root-label; cloudimg-rootfs by default). */
  readonly rootLabel?: string;
  /** ext2/3/4 feature spec given to the writer, by mount point ("/" → "ext4"). */
  readonly features?: (mountPoint: string) => string | undefined;
}

export function bootLayoutFromPlan(plan: DiskPlan, o: BootLayoutOptions = {}): BootLayout {
  const table = plan.table;
  if (!table) throw inputError('the layout has no partition table, so no bootloader can be installed', 'use --block-device mbr, gpt or efi, or --bootloader none');
  const byName = new Map(plan.partitions.map((p) => [p.name, { number: p.number, offset: p.offset, size: p.size } satisfies BootPartitionRef]));
  const mounted = (mp: string) => plan.filesystems.find((f) => f.mount?.mountPoint === mp);
  const describe = (mp: string, fallbackType?: string): { partition: BootPartitionRef; fs: BootFilesystem; label: string | undefined } | undefined => {
    const f = mounted(mp);
    if (!f) return undefined;
    const partition = byName.get(f.device);
    if (!partition) throw inputError(`${mp} is not on a partition (${f.device})`, 'a bootloader needs /, /boot and /boot/efi on partitions');
    const type = f.mkfs.type ?? fallbackType ?? 'ext4';
    const features = o.features?.(mp);
    return { partition, fs: { type, ...(features ? { features } : {}) }, label: f.mkfs.label };
  };
  const root = describe('/', o.rootFsType);
  if (!root) throw inputError('the layout mounts nothing at /', 'mount the root filesystem at /');
  const boot = describe('/boot');
  const esp = describe('/boot/efi');
  const biosBoot = table.scheme === 'gpt' ? table.partitions.find((p) => gptTypeGuid(p.type) === BIOS_BOOT_GUID) : undefined;
  const biosBootRef = biosBoot ? [...byName.values()].find((p) => p.number === biosBoot.number) : undefined;
  return {
    scheme: table.scheme,
    partitions: [...byName.values()],
    root: { partition: root.partition, fs: root.fs, label: root.label ?? o.rootLabel ?? DEFAULT_ROOT_LABEL },
    ...(boot ? { boot: { partition: boot.partition, fs: boot.fs, ...(boot.label ? { label: boot.label } : {}) } } : {}),
    ...(esp ? { esp: { partition: esp.partition, fs: esp.fs, mountPoint: '/boot/efi' } } : {}),
    ...(biosBootRef ? { biosBoot: { partition: biosBootRef } } : {}),
  };
}
