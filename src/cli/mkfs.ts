import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const mkfsCommand: CommandModule = {
  command: 'mkfs <type> [rootfs..]',
  describe: 'Write one filesystem (ext4, vfat, swap) from tarballs or directories into a file',
  builder: (y) =>
    y
      .positional('type', { choices: ['ext4', 'vfat', 'swap'] as const, describe: 'Filesystem type' })
      .positional('rootfs', { type: 'string', array: true, describe: 'Tarballs or directories, layered in order' })
      .option('o', { type: 'string', describe: 'Output file' })
      .example('$0 mkfs ext4 rootfs.tar -o root.ext4', 'An ext4 image sized to its content'),
  handler: notBuiltYet('mkfs', 4),
};
