// After tsc: bundles the CLI entry, then makes it executable (npm does that on install, but not for a
// checkout's own build).
//
// Why bundle: Node 20 resolves, reads, compiles and links every ES module on its own, and a command
// loads ~80 of them (ours and yargs'). As one file per command (rolldown, which vite already brings)
// start-up is ~40 ms shorter on every run: `tsdib convert` of a 1 MiB raw, median of 20 runs, 250 ms
// unbundled, 204 ms bundled (`node -e 0`: 118 ms). That matters where tsdib is measured against
// qemu-img, which starts in 3 ms.
//
// dist/cli/main.js (the bin) becomes the bundle; each command stays a lazily loaded chunk next to it
// (dist/cli/bundle-*.js: same depth, so the import.meta.url paths to elements/ and package.json hold).
// The library (dist/index.js and the modules under it) is tsc's output, unbundled. Dependencies other
// than yargs stay ordinary imports from node_modules: they load only in the commands that use them.
import { chmodSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const cliDir = fileURLToPath(new URL('../dist/cli/', import.meta.url));
const entry = join(cliDir, 'main.js');
const CHUNK_PREFIX = 'bundle-';
const UNBUNDLED = ['ajv', 'yaml', 'crc-32', 'fzstd', 'xz-decompress'];

const staging = mkdtempSync(join(cliDir, '.bundle-'));
try {
  const bundle = await rolldown({
    input: entry,
    platform: 'node',
    external: (id) => id.startsWith('node:') || UNBUNDLED.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    logLevel: 'warn',
  });
  await bundle.write({ dir: staging, format: 'esm', entryFileNames: 'main.js', chunkFileNames: `${CHUNK_PREFIX}[name]-[hash].js` });
  await bundle.close();
  for (const old of readdirSync(cliDir)) if (old.startsWith(CHUNK_PREFIX)) rmSync(join(cliDir, old));
  for (const file of readdirSync(staging)) renameSync(join(staging, file), join(cliDir, file));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
// tsc's map describes the unbundled entry, not this file.
rmSync(`${entry}.map`, { force: true });
chmodSync(entry, 0o755);
