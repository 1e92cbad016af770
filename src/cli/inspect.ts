import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const inspectCommand: CommandModule = {
  command: 'inspect <image>',
  describe: 'Show the container format, size and partition table of an image',
  builder: (y) => y.positional('image', { type: 'string' }),
  handler: notBuiltYet('inspect', 2),
};
