/**
 * `tsdib elements`: list the elements on the elements path, show one element's README, or expand a list of
 * elements the way `tsdib build` will (DIB's element-info, with a deterministic order).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { inputError } from '../errors.js';
import { discoverElements, type ElementCatalog, type ElementInfo } from '../elements/discovery.js';
import { expandElements, type Expansion } from '../elements/expand.js';
import { loadPackageInstalls, squashPackageInstalls, type SquashedPackages } from '../elements/package-installs.js';
import { planHooks, scanElementHooks, type HookPlan } from '../elements/phases.js';
import { elementsSearchPath } from '../elements/search-path.js';
import { runCommand } from './common.js';

interface ElementsArgs {
  names?: string[];
  expand?: boolean;
  'elements-path'?: string;
  'skip-base'?: boolean;
  arch?: string;
  plan?: boolean;
  json?: boolean;
}

/** DIB's architecture name for the host (dib.md §1.3: x86_64→amd64, aarch64→arm64, armv*→armhf). */
export function hostArch(nodeArch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  return names[nodeArch] ?? nodeArch;
}

const README_NAMES = ['README.md', 'README.rst', 'README'];

function readReadme(element: ElementInfo): { file: string; text: string } | undefined {
  for (const name of README_NAMES) {
    try {
      return { file: name, text: readFileSync(join(element.path, name), 'utf8') };
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** The first sentence of a README's first paragraph: headings, rst title underlines and directives skipped. */
export function readmeSummary(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const rule = /^[=\-~^*"#]{3,}$/;
  const paragraph: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const skip = line.startsWith('#') || line.startsWith('..') || line.startsWith(':') || rule.test(line) || rule.test(lines[i + 1] ?? '');
    if (line === '' || skip) {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(line);
  }
  const joined = paragraph.join(' ');
  const sentence = /^(.*?[.!?])(\s|$)/.exec(joined)?.[1] ?? joined;
  return sentence.length > 100 ? `${sentence.slice(0, 97)}...` : sentence;
}

function findElement(catalog: ElementCatalog, name: string): ElementInfo {
  const element = catalog.elements.get(name);
  if (!element) throw inputError(`Element '${name}' not found`, `searched ${catalog.searchPath.join(':')}; tsdib elements lists what is there`);
  return element;
}

function listElements(catalog: ElementCatalog, json: boolean): string {
  const rows = [...catalog.elements.values()].map((e) => ({ ...e, summary: readmeSummary(readReadme(e)?.text ?? '') }));
  if (json) return JSON.stringify({ searchPath: catalog.searchPath, elements: rows, overrides: catalog.overrides }, null, 2);
  const width = Math.max(0, ...rows.map((r) => r.name.length));
  return rows.map((r) => `${r.name.padEnd(width)}  ${r.summary}${r.provides.length ? ` [provides: ${r.provides.join(', ')}]` : ''}`.trimEnd()).join('\n');
}

function describeElement(catalog: ElementCatalog, name: string, json: boolean): string {
  const element = findElement(catalog, name);
  const readme = readReadme(element);
  if (json) return JSON.stringify({ ...element, readme: readme?.text ?? null }, null, 2);
  const facts = [
    `path: ${element.path}`,
    `element-deps: ${element.depends.join(' ') || '(none)'}`,
    `element-provides: ${element.provides.join(' ') || '(none)'}`,
  ].join('\n');
  const body = readme ? readme.text.trimEnd() : `(element '${name}' has no README)`;
  return `${body}\n\n---\n${facts}`;
}

function expandCommand(catalog: ElementCatalog, args: ArgumentsCamelCase<ElementsArgs>, names: string[]): string {
  if (names.length === 0) throw inputError('--expand needs at least one element name', 'e.g. tsdib elements --expand vm my-os');
  const expansion = expandElements(names, catalog, { skipBase: args['skip-base'] ?? false, arch: args.arch ?? hostArch() });
  for (const note of expansion.notes) process.stderr.write(`tsdib: note: ${note}\n`);
  const used = new Set(expansion.elements.map((e) => e.name));
  for (const o of catalog.overrides) if (used.has(o.name)) process.stderr.write(`tsdib: note: Element <${o.winner}> overrides <${o.hidden}>\n`);
  if (args.plan) return showPlan(expansion, args.arch ?? hostArch(), args.json ?? false);
  if (args.json) {
    return JSON.stringify(
      { elements: expansion.elements.map((e) => ({ name: e.name, path: e.path })), providedBy: Object.fromEntries(expansion.providedBy), notes: expansion.notes },
      null,
      2,
    );
  }
  return expansion.elements.map((e) => e.name).join('\n');
}

/** The hook plan and package lists a build of these elements would use (nothing is run). */
function showPlan(expansion: Expansion, arch: string, json: boolean): string {
  const hooks: HookPlan = planHooks(expansion.elements.map(scanElementHooks), { env: process.env });
  const packages: SquashedPackages = squashPackageInstalls(expansion.elements.map(loadPackageInstalls), { ...process.env, ARCH: arch });
  if (json) return JSON.stringify({ elements: expansion.elements.map((e) => e.name), hooks, packages }, null, 2);
  const out: string[] = [`elements: ${expansion.elements.map((e) => e.name).join(' ')}`, ''];
  out.push('environment.d (sourced before every phase):');
  for (const s of hooks.environment) out.push(`  ${s.element}/${s.name}`);
  for (const phase of hooks.phases.filter((p) => p.scripts.length > 0)) {
    out.push(`${phase.phase} (${phase.where === 'chroot' ? 'inside the image' : 'outside'}):`);
    for (const s of phase.scripts) out.push(`  ${s.element}/${s.name}`);
  }
  out.push('', `packages (ARCH=${arch}, before pkg-map):`);
  for (const [phase, lists] of Object.entries(packages)) {
    for (const action of ['install', 'uninstall'] as const) {
      const entries = lists?.[action] ?? [];
      if (entries.length > 0) out.push(`  ${phase} ${action}: ${entries.map(([p, e]) => `${p} (${e})`).join(', ')}`);
    }
  }
  if (hooks.ignored.length > 0) {
    out.push('', 'not run:');
    for (const i of hooks.ignored) out.push(`  ${i.element}/${i.dir}/${i.name}: ${i.reason}`);
  }
  return out.join('\n');
}

function elements(args: ArgumentsCamelCase<ElementsArgs>): string {
  const names = (args.names ?? []).map(String);
  const catalog = discoverElements(elementsSearchPath(args['elements-path'], process.env));
  if (args.expand) return expandCommand(catalog, args, names);
  if (args.plan) throw inputError('--plan goes with --expand', 'e.g. tsdib elements --expand --plan vm my-os');
  if (names.length > 1) throw inputError(`give one element to describe, not ${names.length}`, 'or --expand to expand several');
  if (names.length === 1) return describeElement(catalog, names[0] as string, args.json ?? false);
  return listElements(catalog, args.json ?? false);
}

export const elementsCommand: CommandModule<object, ElementsArgs> = {
  command: 'elements [names..]',
  describe: 'List, describe or expand elements',
  builder: (y: Argv) =>
    y
      .positional('names', { type: 'string', array: true, describe: 'An element to describe, or with --expand the elements to expand' })
      .option('expand', { type: 'boolean', describe: 'Print the expanded element list a build of NAMES would use (base added unless -n)' })
      .option('elements-path', { type: 'string', describe: 'Colon-separated element directories, earlier ones win (default: $ELEMENTS_PATH); the shipped elements come last' })
      .option('skip-base', { alias: 'n', type: 'boolean', describe: 'With --expand: do not add the base element' })
      .option('arch', { alias: 'a', type: 'string', describe: 'With --expand: target architecture (picks the default block-device element)' })
      .option('plan', { type: 'boolean', describe: 'With --expand: show the scripts each phase would run, in order, and the package lists' })
      .option('json', { type: 'boolean', describe: 'Machine-readable output' })
      .example('$0 elements', 'List every element with its one-line summary')
      .example('$0 elements vm', "Show the vm element's README, its deps and what it provides")
      .example('$0 elements --expand vm my-os', 'The expanded list, in build order')
      .example('$0 elements --expand --plan vm my-os', 'Which scripts run in which phase, and which packages')
      .example('ELEMENTS_PATH=~/elements $0 elements --expand -n my-os --json', 'Your own elements, without base, as JSON')
      .epilogue('Exit codes: 0 success; 2 an unknown element, a bad ELEMENTS_PATH entry or an impossible combination; 1 anything else.') as unknown as Argv<ElementsArgs>,
  handler: (args) =>
    runCommand(() => {
      process.stdout.write(`${elements(args)}\n`);
    }),
};
