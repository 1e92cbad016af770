/**
 * DIB's own elements (Debian's python3-diskimage-builder puts 119 of them on disk) on our ELEMENTS_PATH:
 * the same expanded set as DIB's element-info, the same scripts per phase as DIB's dib-run-parts over the
 * hooks directory DIB would merge, and the same squashed package lists as DIB's package-installs-squash.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discoverElements } from '../../src/elements/discovery.js';
import { expandElements } from '../../src/elements/expand.js';
import { loadPackageInstalls, squashPackageInstalls } from '../../src/elements/package-installs.js';
import { planHooks, scanElementHooks } from '../../src/elements/phases.js';
import { elementsSearchPath } from '../../src/elements/search-path.js';
import { useTmpDir } from '../helpers/tmp.js';
import { DIB_DIR, dibElementInfo, haveDib, runDibPython } from './helpers.js';

const tmp = useTmpDir();
const DIB_ELEMENTS = join(DIB_DIR, 'elements');

const BUILDS: { names: string[]; env: Record<string, string> }[] = [
  { names: ['debian-minimal', 'vm', 'devuser', 'openssh-server', 'block-device-mbr'], env: { ARCH: 'amd64', DIB_RELEASE: 'bookworm', DISTRO_NAME: 'debian' } },
  { names: ['ubuntu-minimal', 'vm', 'block-device-efi', 'growroot', 'cloud-init-datasources'], env: { ARCH: 'amd64', DIB_RELEASE: 'jammy', DISTRO_NAME: 'ubuntu', DIB_UBUNTU_KERNEL: 'linux-image-generic' } },
  { names: ['centos-minimal', 'vm', 'block-device-gpt', 'simple-init'], env: { ARCH: 'amd64', DIB_RELEASE: '9-stream', DISTRO_NAME: 'centos', DIB_SIMPLE_INIT_NETWORKMANAGER: '1' } },
];

/** DIB's generate_hooks, for the phase directories: every element's entries copied into one directory. */
function mergeHooks(paths: readonly string[], into: string, dirs: readonly string[]): void {
  for (const path of paths) {
    for (const dir of dirs) {
      const src = join(path, dir);
      if (!existsSync(src)) continue;
      mkdirSync(join(into, dir), { recursive: true });
      for (const f of readdirSync(src)) cpSync(join(src, f), join(into, dir, f), { recursive: true });
    }
  }
}

describe.runIf(haveDib())("DIB's own elements, checked by DIB's own tools", () => {
  for (const build of BUILDS) {
    describe(build.names.join(' '), () => {
      const catalog = () => discoverElements(elementsSearchPath(DIB_ELEMENTS, {}));
      const ours = () => expandElements(build.names, catalog(), { arch: build.env['ARCH'] as string });

      test('expansion: the same set as element-info', () => {
        const dib = dibElementInfo(DIB_ELEMENTS, ['base', ...build.names]);
        expect(dib.ok, dib.stderr).toBe(true);
        expect(ours().elements.map((e) => e.name).sort()).toEqual(dib.names);
        expect(ours().elements.every((e) => e.path.startsWith(DIB_ELEMENTS))).toBe(true);
      });

      test('hook plan: the same scripts, in the same order, as dib-run-parts --list', () => {
        const elements = ours().elements;
        const plan = planHooks(elements.map(scanElementHooks), { env: { DIB_DEFAULT_INSTALLTYPE: 'source' } });
        const merged = tmp();
        mergeHooks(elements.map((e) => e.path), merged, plan.phases.map((p) => p.phase));
        // DIB's base pulls in install-types, whose extra-data.d script links the selected
        // install.d/<prefix>-<type>-install scripts into install.d: run it as DIB would.
        expect(elements.map((e) => e.name)).toContain('install-types');
        const linked = spawnSync('bash', [join(DIB_ELEMENTS, 'install-types/extra-data.d/99-enable-install-types')], {
          encoding: 'utf8',
          env: { PATH: '/usr/bin:/bin', TMP_HOOKS_PATH: merged, DIB_DEFAULT_INSTALLTYPE: 'source', DIB_DEBUG_TRACE: '0' },
        });
        expect(linked.status, linked.stderr).toBe(0);
        let total = 0;
        for (const phase of plan.phases) {
          const dir = join(merged, phase.phase);
          let dib: string[] = [];
          if (existsSync(dir)) {
            const r = spawnSync('bash', [join(DIB_DIR, 'lib/dib-run-parts'), '--list', dir], { encoding: 'utf8' });
            expect(r.status).toBe(0);
            dib = r.stdout.split('\n').filter(Boolean).map((l) => basename(l));
          }
          expect(phase.scripts.map((s) => s.name), phase.phase).toEqual(dib);
          total += dib.length;
        }
        expect(total).toBeGreaterThan(10);
      });

      test('packages: the same squashed lists as package-installs-squash', () => {
        const elements = ours().elements;
        const out = join(tmp(), 'package-installs.json');
        const r = runDibPython(join(DIB_ELEMENTS, 'package-installs/bin/package-installs-squash'), [`--elements=${elements.map((e) => e.name).join(' ')}`, `--path=${DIB_ELEMENTS}`, out], build.env);
        expect(r.status, r.stderr).toBe(0);
        const dib = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
        const mine = squashPackageInstalls(elements.map(loadPackageInstalls), build.env);
        const normalised = Object.fromEntries(Object.entries(mine).map(([phase, lists]) => [phase, Object.fromEntries(Object.entries(lists).filter(([, l]) => (l as unknown[]).length > 0))]));
        expect(normalised).toEqual(dib);
        expect(Object.keys(dib).length).toBeGreaterThan(0);
      });
    });
  }
});
