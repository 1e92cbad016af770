#!/usr/bin/env node
/**
 * tsdib's command line (DESIGN.md §4). Each command lives in its own file; this one wires them up and
 * maps yargs' usage errors to exit 2.
 *
 * Start-up time matters (`tsdib mkfs` on a small tree should cost little more than Node itself), so a
 * command's module — and everything it imports: writers, codecs, decompressors — is loaded only
 * when that command runs. Only top-level help, `--version` and usage errors load every module (to list
 * every command and suggest the nearest name), which keeps each command's own `--help` and options
 * exactly as its module declares them.
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { EXIT_USAGE } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

/** Every command by the name its module declares first in `command`, with how to load it. */
const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  assemble: async () => (await import('./assemble.js')).assembleCommand,
  mkfs: async () => (await import('./mkfs.js')).mkfsCommand,
  convert: async () => (await import('./convert.js')).convertCommand,
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  build: async () => (await import('./build.js')).buildCommand,
  elements: async () => (await import('./elements.js')).elementsCommand,
  'pkg-map': async () => (await import('./pkg-map.js')).pkgMapCommand,
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The command `argv` names: its first word that is not an option (tsdib's top level takes no option
 * with a value, so that word is the command). Undefined when there is none or it is not a command.
 */
export function commandNamed(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/** The modules to register: just the named command's, or all of them (help, version, usage errors). */
async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const name = commandNamed(argv);
  const loaders = name === undefined ? Object.values(COMMANDS) : [COMMANDS[name]!];
  return Promise.all(loaders.map((load) => load()));
}

/**
 * yargs renders a command's whole --help text as soon as the handler starts (cacheHelpMessage: kept
 * for showHelpOnFail after an async handler), and laying it out costs ~40 ms of string-width before
 * every build, mkfs or convert does any work. We never show help after a handler has run (errors are
 * one line: cli/common.ts), so that render is skipped; --help itself is rendered as before.
 */
function skipHelpCaching(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

export async function main(argv: string[]): Promise<void> {
  const [{ default: yargs }, commands] = await Promise.all([import('yargs'), commandsFor(argv)]);
  let cli = yargs(argv)
    .scriptName('tsdib')
    .usage(
      'tsdib: build bootable disk images without root.\n\n' +
        'Root filesystems come in as tarballs or directories; tsdib writes the partition table, the\n' +
        'filesystems, the bootloader and the image container itself, byte by byte.\n\n' +
        'Usage: $0 <command> [options]',
    );
  for (const command of commands) cli = cli.command(command);
  skipHelpCaching(cli);
  await cli
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

await main(process.argv.slice(2));
