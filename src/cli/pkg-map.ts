/**
 * `tsdib pkg-map`: DIB's pkg-map command (reference/dib.md §3.4), with its flags, output and exit codes:
 * 0 OK; 1 an error (no mapping for a name without --missing-ok, no distro, neither or both of
 * --element/--pkg-map, a map that does not parse); 2 the element's pkg-map file does not exist (without
 * --missing-ok) — and, as for every tsdib command, 2 for an unknown option.
 *
 * `--element E` looks for E/pkg-map on the elements path (--elements-path or ELEMENTS_PATH, then the shipped
 * elements); when E is not on the path it falls back to DIB's in-image location /usr/share/pkg-map/E.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { failure, inputError, TsdibError } from '../errors.js';
import { discoverElements } from '../elements/discovery.js';
import { lookupNames, parsePkgMap, type PkgMap } from '../elements/pkg-map.js';
import { elementsSearchPath } from '../elements/search-path.js';
import { runCommand } from './common.js';

interface PkgMapArgs {
  names?: string[];
  element?: string;
  'pkg-map'?: string;
  distro?: string;
  release?: string;
  'missing-ok'?: boolean;
  prefix?: string;
  debug?: boolean;
  'elements-path'?: string;
}

/** DIB's in-image directory of element pkg-map files. */
export const IN_IMAGE_PKG_MAP_DIR = '/usr/share/pkg-map';

/** The pkg-map file for --element: on the elements path first, then where DIB puts them in an image. */
export function elementPkgMapPath(element: string, elementsPath: string | undefined, env: NodeJS.ProcessEnv): string {
  const catalog = discoverElements(elementsSearchPath(elementsPath, env));
  const found = catalog.elements.get(element);
  return found ? join(found.path, 'pkg-map') : join(IN_IMAGE_PKG_MAP_DIR, element);
}

function readMap(file: string): PkgMap {
  try {
    return parsePkgMap(readFileSync(file, 'utf8'), file);
  } catch (e) {
    // DIB exits 1 on a map it cannot use; only a missing map is 2.
    if (e instanceof TsdibError) throw failure(e.message, e.hint);
    throw e;
  }
}

function pkgMap(args: ArgumentsCamelCase<PkgMapArgs>, out: (line: string) => void, log: (line: string) => void): void {
  const names = (args.names ?? []).map(String);
  const element = args.element ?? '';
  const file = args['pkg-map'] ?? '';
  if (!element && !file) throw failure('Please specify an --element argument', 'or --pkg-map FILE');
  if (element && file) throw failure('Specify either --element or --pkg-map', 'not both');
  const distro = args.distro ?? process.env['DISTRO_NAME'];
  if (!distro) throw failure('Please specify a --distro argument or set DISTRO_NAME', 'e.g. --distro debian');
  const release = args.release ?? process.env['DIB_RELEASE'];
  const prefix = args.prefix ?? '';
  const label = file ? `<${file}>` : element;
  const mapFile = file || elementPkgMapPath(element, args['elements-path'], process.env);
  if (args.debug) log(`Mapping for ${label} : ${names.join(' ')}`);

  if (!existsSync(mapFile)) {
    if (args['missing-ok']) {
      if (args.debug) log(`No package map for ${label}, done`);
      for (const n of names) out(`${prefix}${n}`);
      return;
    }
    throw inputError(`Required pkg-map for ${label} element does not exist`, `looked for ${mapFile}; --missing-ok passes names through`);
  }
  for (const { name, value } of lookupNames(readMap(mapFile), names, distro, release)) {
    if (value) {
      if (args.debug) log(`map ${name} -> ${value}`);
      out(`${prefix}${value}`);
    } else if (value === '') {
      if (args.debug) log(`map ${name} -> <skip>`);
    } else if (args['missing-ok']) {
      if (args.debug) log(`pass -> ${name}`);
      out(`${prefix}${name}`);
    } else {
      throw failure(`${label} has no valid mapping for package ${name}`, `add it to ${mapFile}, or pass --missing-ok`);
    }
  }
}

export const pkgMapCommand: CommandModule<object, PkgMapArgs> = {
  command: 'pkg-map [names..]',
  describe: "Map package names for a distribution (DIB's pkg-map)",
  builder: (y: Argv) =>
    y
      .positional('names', { type: 'string', array: true, describe: 'Generic package names to translate' })
      .option('element', { type: 'string', describe: "The element whose pkg-map to use (looked up on the elements path, then /usr/share/pkg-map)" })
      .option('pkg-map', { type: 'string', describe: 'Path to a pkg-map file instead of --element' })
      .option('distro', { type: 'string', describe: 'Distribution (default: $DISTRO_NAME)' })
      .option('release', { type: 'string', describe: 'Release (default: $DIB_RELEASE)' })
      .option('missing-ok', { type: 'boolean', describe: 'Print names with no mapping (or with no map at all) unchanged instead of failing' })
      .option('prefix', { type: 'string', nargs: 1, describe: 'Put this before every output line (to tell output from logs)' })
      .option('debug', { type: 'boolean', describe: 'Log each mapping on stderr' })
      .option('elements-path', { type: 'string', describe: 'Colon-separated element directories (default: $ELEMENTS_PATH), before the shipped elements' })
      .example('$0 pkg-map --element my-app --elements-path ~/elements --distro debian python-dev', "Map a name through my-app's pkg-map for Debian")
      .example('$0 pkg-map --pkg-map ./pkg-map --distro centos --release 9-stream --missing-ok --prefix - a b', 'A file, names without mapping passed through')
      .epilogue(
        'Output: one line per mapped name (a value may list several packages); an empty mapping prints nothing.\n' +
          'Exit codes (as DIB): 0 OK; 1 no mapping for a name, no distro, neither or both of --element/--pkg-map, or an unusable map; ' +
          "2 the element's pkg-map does not exist (without --missing-ok) or a bad option.",
      ) as unknown as Argv<PkgMapArgs>,
  handler: (args) =>
    runCommand(() => {
      const lines: string[] = [];
      try {
        pkgMap(args, (l) => lines.push(l), (l) => process.stderr.write(`pkg-map: ${l}\n`));
      } finally {
        // DIB prints each mapped name as it goes, so names before a failure still reach stdout.
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      }
    }),
};
