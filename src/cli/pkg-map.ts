import type { CommandModule } from 'yargs';
import { notBuiltYet } from './common.js';

export const pkgMapCommand: CommandModule = {
  command: 'pkg-map',
  describe: "Map package names for a distribution (DIB's pkg-map)",
  builder: (y) => y.example('$0 pkg-map --element vm --distro debian grub', 'Map a package name'),
  handler: notBuiltYet('pkg-map', 7),
};
