// Runs every benchmark in bench/ (files named *.bench.mjs) in order. Each one runs the reference tool
// on the same input in the same run and prints time and peak-memory ratios.
import { readdirSync } from 'node:fs';

const dir = new URL('.', import.meta.url);
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only))).sort();
if (files.length === 0) console.log('no benchmarks yet');
for (const f of files) {
  console.log(`\n== ${f}`);
  const mod = await import(new URL(f, dir));
  await mod.default();
}
