import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const buildCommand: CommandModule = {
  command: 'build [elements..]',
  describe: 'Build an image from DIB elements, without root (disk-image-create compatible)',
  builder: (y) =>
    y
      .positional('elements', { type: 'string', array: true, describe: 'Elements to include' })
      .option('o', { type: 'string', describe: 'Output name (writes NAME.<type>)' })
      .option('t', { type: 'string', describe: 'Output types, comma-separated (default qcow2)' })
      .example('$0 build -o demo demo', 'Build the shipped demo image without network'),
  handler: notBuiltYet('build', 7),
};
