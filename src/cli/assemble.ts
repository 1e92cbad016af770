import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const assembleCommand: CommandModule = {
  command: 'assemble [rootfs..]',
  describe: 'Assemble rootfs tarballs and a DIB block-device layout into a disk image',
  builder: (y) => y.positional('rootfs', { type: 'string', array: true }),
  handler: notBuiltYet('assemble', 5),
};
