/**
 * DIB's default layouts (reference/dib.md §6.7), as the block-device-* elements ship them:
 * `mbr` one bootable primary root; `gpt` BIOS boot partition (EF02, 8 MiB) + root; `efi` ESP (EF00,
 * 550 MiB, vfat on /boot/efi) + BSP + root; `none` a filesystem on the whole disk, no table.
 */
export const PRESETS = {
  mbr: `- local_loop:
    name: image0

- partitioning:
    base: image0
    label: mbr
    partitions:
      - name: root
        flags: [ boot, primary ]
        size: 100%
        mkfs:
          name: mkfs_root
          mount:
            mount_point: /
            fstab:
              options: "defaults"
              fsck-passno: 1
`,
  gpt: `- local_loop:
    name: image0

- partitioning:
    base: image0
    label: gpt
    partitions:
      - name: BSP
        type: 'EF02'
        size: 8MiB
      - name: root
        flags: [ boot ]
        size: 100%
        mkfs:
          name: mkfs_root
          mount:
            mount_point: /
            fstab:
              options: "defaults"
              fsck-passno: 1
`,
  efi: `- local_loop:
    name: image0

- partitioning:
    base: image0
    label: gpt
    partitions:
      - name: ESP
        type: 'EF00'
        size: 550MiB
        mkfs:
          type: vfat
          mount:
            mount_point: /boot/efi
            fstab:
              options: "defaults"
              fsck-passno: 2
      - name: BSP
        type: 'EF02'
        size: 8MiB
      - name: root
        type: '8300'
        size: 100%
        mkfs:
          name: mkfs_root
          mount:
            mount_point: /
            fstab:
              options: "defaults"
              fsck-passno: 1
`,
  none: `- local_loop:
    name: image0
    mkfs:
      name: mkfs_root
      mount:
        mount_point: /
        fstab:
          options: "defaults"
          fsck-passno: 1
`,
} as const;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(name: string): name is PresetName {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}
