/**
 * Memory must grow with the number of entries, never with the data: the reader is run in a child
 * process (the built dist/, as `npm test` builds it) and its peak RSS is compared with the data size.
 * The spool a compressed input needs must not outlive the process, even on Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { writeTar } from '../../src/tar/writer.js';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import { useTmpDir } from '../helpers/tmp.js';

const DIST = fileURLToPath(new URL('../../dist/tar/index.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/tar/', import.meta.url));
const MiB = 1024 * 1024;

/** Reads `input` with the built reader in a fresh node; returns its peak RSS and what it read. */
function readInChild(input: string, tmpDir: string): { maxRssBytes: number; entries: number; bytes: number } {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first (npm test does)`);
  const script = `
    const { readRootfs } = await import(${JSON.stringify(DIST)});
    const r = await readRootfs([${JSON.stringify(input)}], { tmpDir: ${JSON.stringify(tmpDir)} });
    r.cleanup();
    console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, entries: r.stats.entries, bytes: r.stats.bytes }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('memory does not grow with the data', () => {
  const tmp = useTmpDir();

  test('a .tar.zst holding 512 MiB of zeros is spooled with far less memory than its data', () => {
    const dir = tmp();
    const r = readInChild(join(FIXTURES, 'zeros-512m.tar.zst'), dir);
    expect(r.bytes).toBe(512 * MiB);
    console.log(`zeros-512m.tar.zst: peak RSS ${(r.maxRssBytes / MiB).toFixed(1)} MiB for 512 MiB of data`);
    expect(r.maxRssBytes).toBeLessThan(200 * MiB);
  });

  test('20,000 entries: peak RSS reported, bounded', async () => {
    const dir = tmp();
    const tree = new FileTree();
    const body = bytesBody(new Uint8Array(700).fill(1));
    for (let d = 0; d < 100; d++) for (let f = 0; f < 200; f++) tree.addFile(`usr/d${d}/file-${f}`, body, { mode: 0o644 });
    const archive = join(dir, 'many.tar');
    await writeTar(tree, archive, { epoch: 0 });
    const r = readInChild(archive, dir);
    expect(r.entries).toBe(20_000 + 100 + 2); // files, their directories, ./ and ./usr/
    console.log(`20k entries: peak RSS ${(r.maxRssBytes / MiB).toFixed(1)} MiB`);
    expect(r.maxRssBytes).toBeLessThan(200 * MiB);
  });
});

describe('spool files', () => {
  const tmp = useTmpDir();

  test('Ctrl-C (SIGINT) removes the spool and still ends the process by the signal', async () => {
    const dir = tmp();
    // Reads, then idles without calling cleanup(): only the signal handler can remove the spool.
    const script = `
      const { readRootfs } = await import(${JSON.stringify(DIST)});
      await readRootfs([${JSON.stringify(join(FIXTURES, 'base256-gnu.tar.zst'))}], { tmpDir: ${JSON.stringify(dir)} });
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const spoolHasData = () =>
      readdirSync(dir).some((d) => d.startsWith('tsdib-spool-') && readdirSync(join(dir, d)).some((f) => statSync(join(dir, d, f)).size > 0));
    while (!spoolHasData()) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
