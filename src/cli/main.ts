#!/usr/bin/env node
/**
 * tsdib's command line (DESIGN.md §4). Each command lives in its own file; this one wires them up and
 * maps yargs' usage errors to exit 2.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_USAGE } from '../errors.js';
import { assembleCommand } from './assemble.js';
import { buildCommand } from './build.js';
import { convertCommand } from './convert.js';
import { elementsCommand } from './elements.js';
import { inspectCommand } from './inspect.js';
import { mkfsCommand } from './mkfs.js';
import { pkgMapCommand } from './pkg-map.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('tsdib')
    .usage(
      'tsdib: build bootable disk images without root.\n\n' +
        'Root filesystems come in as tarballs or directories; tsdib writes the partition table, the\n' +
        'filesystems, the bootloader and the image container itself, byte by byte.\n\n' +
        'Usage: $0 <command> [options]',
    )
    .command(assembleCommand)
    .command(mkfsCommand)
    .command(convertCommand)
    .command(inspectCommand)
    .command(buildCommand)
    .command(elementsCommand)
    .command(pkgMapCommand)
    .demandCommand(1, 'Name a command: tsdib --help lists them')
    .strict()
    .recommendCommands()
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Exit codes: 0 success, 2 bad usage or input, 1 any other failure. Docs: README.md')
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`tsdib: ${msg}\nRun tsdib --help for usage.\n`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
}

await main(hideBin(process.argv));
