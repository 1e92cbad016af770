import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const elementsCommand: CommandModule = {
  command: 'elements [name]',
  describe: 'List, describe or expand elements',
  builder: (y) => y.positional('name', { type: 'string', describe: 'Element to describe' }).example('$0 elements vm', "Show the vm element's README"),
  handler: notBuiltYet('elements', 7),
};
