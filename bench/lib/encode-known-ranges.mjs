// tsdib's own pipeline in one process: a finished disk that knows its data ranges (as a FileDisk
// does after assemble wrote it) streamed out with writeImage (atomic, fsynced). Unlike a raw file
// given to `convert`, nothing here reads the holes.
// Usage: node encode-known-ranges.mjs IN.raw RANGES.json OUT FORMAT [-c]
import { readFileSync, rmSync } from 'node:fs';
import { RawImage } from '../../dist/formats/raw-reader.js';
import { writeImage } from '../../dist/formats/index.js';

const [input, rangesFile, out, format, flag] = process.argv.slice(2);
const ranges = JSON.parse(readFileSync(rangesFile, 'utf8'));

class KnownRangesDisk extends RawImage {
  *dataRanges() {
    yield* ranges;
  }
}

rmSync(out, { force: true });
const disk = new KnownRangesDisk(input);
await writeImage(disk, format, out, { seed: 'bench', epoch: 0, compress: flag === '-c' });
disk.close();
