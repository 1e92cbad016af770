// Streams FILE through our zstd encoder into OUT at LEVEL: node zstd-compress.mjs LEVEL FILE OUT
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createZstdCompressStream } from '../../dist/compress/zstd/index.js';

const [level, input, output] = process.argv.slice(2);
await pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), createZstdCompressStream({ level: Number(level) }), createWriteStream(output));
