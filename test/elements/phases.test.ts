/**
 * The hook plan: phase order, numeric order across elements, duplicate names refused, what does not run.
 * Oracle: DIB's dib-run-parts --list over the merged hooks directory DIB would build (dib.md §1.4).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { discoverElements } from '../../src/elements/discovery.js';
import { expandElements } from '../../src/elements/expand.js';
import { PHASES, planHooks, scanElementHooks } from '../../src/elements/phases.js';
import { useTmpDir } from '../helpers/tmp.js';
import { DIB_DIR, haveDib, makeElements } from './helpers.js';

const tmp = useTmpDir();

function tree(root: string): string {
  return makeElements(root, {
    os: {
      provides: ['operating-system'],
      files: {
        'environment.d/10-os.bash': 'export DISTRO_NAME=debian\n',
        'root.d/10-bootstrap': '#!/bin/sh\n',
        'install.d/50-os': '#!/bin/sh\n',
        'install.d/README.rst': 'docs\n',
        'finalise.d/90-os': '#!/bin/sh\n',
      },
    },
    app: {
      deps: ['os'],
      files: {
        'environment.d/05-app': 'export A=1\n',
        'environment.d/20-app.sh': 'export B=2\n',
        'install.d/10-app': '#!/bin/sh\n',
        'install.d/100-late': '#!/bin/sh\n',
        'install.d/75-app.sh': '#!/bin/sh\n',
        'install.d/60-app.noexec': '#!/bin/sh\n',
        'install.d/app-source-install/10-x': '#!/bin/sh\n',
        'install.d/app-package-install/20-pkg': '#!/bin/sh\n',
        'cleanup.d/01-clean': '#!/bin/sh\n',
      },
    },
  });
}

function plan(root: string, env: Record<string, string> = {}) {
  const expansion = expandElements(['app'], discoverElements([root]), { skipBase: true });
  return { expansion, plan: planHooks(expansion.elements.map(scanElementHooks), { env }) };
}

describe('planHooks', () => {
  test('every phase in DIB order, scripts ordered numerically across elements', () => {
    const root = tree(tmp());
    const { plan: p } = plan(root);
    expect(p.phases.map((ph) => ph.phase)).toEqual(['root.d', 'extra-data.d', 'pre-install.d', 'install.d', 'post-install.d', 'post-root.d', 'block-device.d', 'pre-finalise.d', 'finalise.d', 'cleanup.d']);
    expect(p.phases.map((ph) => ph.where)).toEqual(PHASES.map((ph) => ph.where));
    const install = p.phases.find((ph) => ph.phase === 'install.d');
    expect(install?.scripts.map((s) => `${s.element}/${s.dir}/${s.name}`)).toEqual(['app/install.d/10-app', 'app/install.d/app-source-install/10-x', 'os/install.d/50-os', 'app/install.d/100-late']);
    expect(install?.scripts[0]?.path).toBe(join(root, 'app', 'install.d', '10-app'));
    expect(install?.scripts[0]?.inTargetPath).toBe('/tmp/in_target.d/install.d/10-app');
    expect(p.phases.find((ph) => ph.phase === 'root.d')?.scripts.map((s) => s.name)).toEqual(['10-bootstrap']);
  });
  test('environment.d: all elements, sort -n order, dots allowed, exec bit not needed', () => {
    const { plan: p } = plan(tree(tmp()));
    expect(p.environment.map((s) => `${s.element}/${s.name}`)).toEqual(['app/05-app', 'os/10-os.bash', 'app/20-app.sh']);
  });
  test('what does not run is reported with the reason', () => {
    const { plan: p } = plan(tree(tmp()));
    const reasons = Object.fromEntries(p.ignored.map((i) => [`${i.element}/${i.dir}/${i.name}`, i.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['app/install.d/60-app', 'app/install.d/75-app.sh', 'app/install.d/app-package-install', 'os/install.d/README.rst']);
    expect(reasons['app/install.d/app-package-install']).toBe('an install-type directory whose type is not selected');
    expect(reasons['app/install.d/60-app']).toBe('not executable');
    expect(reasons['app/install.d/75-app.sh']).toMatch(/dot/);
  });
  test('install types: DIB_INSTALLTYPE_<prefix> beats DIB_DEFAULT_INSTALLTYPE', () => {
    const root = tree(tmp());
    const scripts = (env: Record<string, string>) => plan(root, env).plan.phases.find((p) => p.phase === 'install.d')?.scripts.map((s) => s.dir) ?? [];
    expect(scripts({ DIB_INSTALLTYPE_app: 'package' })).toContain('install.d/app-package-install');
    expect(scripts({ DIB_INSTALLTYPE_app: 'package' })).not.toContain('install.d/app-source-install');
    expect(scripts({ DIB_DEFAULT_INSTALLTYPE: 'package' })).toContain('install.d/app-package-install');
    expect(scripts({ DIB_DEFAULT_INSTALLTYPE: 'package', DIB_INSTALLTYPE_app: 'source' })).toContain('install.d/app-source-install');
    expect(scripts({ DIB_INSTALLTYPE_app: 'repo' }).filter((d) => d !== 'install.d')).toEqual([]);
    const script = plan(root).plan.phases.find((p) => p.phase === 'install.d')?.scripts[1];
    expect(script).toMatchObject({ name: '10-x', path: join(root, 'app', 'install.d', 'app-source-install', '10-x'), inTargetPath: '/tmp/in_target.d/install.d/app-source-install/10-x' });
  });
  test("a hook name used by two elements is refused with DIB's message", () => {
    const root = makeElements(tmp(), {
      os: { provides: ['operating-system'], files: { 'install.d/50-same': '#!/bin/sh\n' } },
      app: { deps: ['os'], files: { 'install.d/50-same': '#!/bin/sh\n' } },
    });
    let error: unknown;
    try {
      plan(root);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TsdibError);
    expect((error as TsdibError).message).toBe('There is a duplicated hook in your elements: os/install.d/50-same');
    expect((error as TsdibError).hint).toMatch(/element 'app' has install.d\/50-same too/);
  });
});

describe('planHookCopies (the merged hooks directory)', () => {
  test('every top-level directory but tests/ and __pycache__; same-named sub-directories merge', () => {
    const root = makeElements(tmp(), {
      os: { provides: ['operating-system'], files: { 'static/etc/os-release': 'x\n', 'bin/os-tool': '#!/bin/sh\n', 'tests/test_x.py': '\n' } },
      app: { deps: ['os'], files: { 'static/etc/app.conf': 'y\n', '__pycache__/x.pyc': '' } },
    });
    const { plan: p } = plan(root);
    expect(p.copies.map((c) => `${c.element}:${c.target}:${c.kind}`)).toEqual(['app:static/etc:directory', 'os:bin/os-tool:file', 'os:static/etc:directory']);
    expect(p.copies[1]?.source).toBe(join(root, 'os', 'bin', 'os-tool'));
  });
  test('a file name two elements put in static/ (or any directory) is refused', () => {
    const root = makeElements(tmp(), {
      os: { provides: ['operating-system'], files: { 'bin/tool': '#!/bin/sh\n' } },
      app: { deps: ['os'], files: { 'bin/tool': '#!/bin/sh\n' } },
    });
    expect(() => plan(root)).toThrow('There is a duplicated hook in your elements: os/bin/tool');
  });
});

/** DIB's generate_hooks: every element's hook dirs copied into one directory. */
function mergeHooks(elements: { path: string }[], into: string): void {
  for (const e of elements) {
    for (const dir of readdirSync(e.path)) {
      const src = join(e.path, dir);
      if (!statSync(src).isDirectory()) continue;
      mkdirSync(join(into, dir), { recursive: true });
      for (const f of readdirSync(src)) cpSync(join(src, f), join(into, dir, f), { recursive: true });
    }
  }
}

describe.runIf(haveDib())("oracle: DIB's install-types and dib-run-parts --list on the merged hooks", () => {
  test('each phase lists the same scripts in the same order', () => {
    const root = tree(tmp());
    const { expansion, plan: p } = plan(root);
    const merged = tmp();
    mergeHooks([...expansion.elements], merged);
    const linked = spawnSync('bash', [join(DIB_DIR, 'elements/install-types/extra-data.d/99-enable-install-types')], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', TMP_HOOKS_PATH: merged, DIB_DEFAULT_INSTALLTYPE: 'source', DIB_DEBUG_TRACE: '0' },
    });
    expect(linked.status, linked.stderr).toBe(0);
    for (const phase of p.phases) {
      const dir = join(merged, phase.phase);
      let dib: string[] = [];
      if (existsSync(dir)) {
        const r = spawnSync('bash', [join(DIB_DIR, 'lib/dib-run-parts'), '--list', dir], { encoding: 'utf8' });
        expect(r.status).toBe(0);
        dib = r.stdout.trim().split('\n').filter(Boolean).map((l) => basename(l));
      }
      expect(phase.scripts.map((s) => s.name), phase.phase).toEqual(dib);
    }
  });
});
