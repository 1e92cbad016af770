import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const convertCommand: CommandModule = {
  command: 'convert <in> <out>',
  describe: 'Convert between raw, qcow2, vhd, vmdk and vdi (like qemu-img convert)',
  builder: (y) =>
    y
      .positional('in', { type: 'string', describe: 'Input image (format detected by magic)' })
      .positional('out', { type: 'string', describe: 'Output image' })
      .example('$0 convert disk.raw disk.qcow2 -O qcow2', 'raw to qcow2'),
  handler: notBuiltYet('convert', 3),
};
