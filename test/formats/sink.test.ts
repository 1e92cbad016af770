import { describe, expect, test } from 'vitest';
import { Appender } from '../../src/formats/sink.js';
import type { Sink } from '../../src/formats/types.js';

/** A sink whose background writes complete only when the test says so, recording what they carried. */
function slowSink() {
  const writes: { offset: number; chunks: number; bytes: Uint8Array }[] = [];
  const release: (() => void)[] = [];
  let flushes = 0;
  const sink: Sink = {
    write: () => {},
    writev: () => {},
    writevAsync(offset, chunks) {
      // What the kernel would read from the caller's buffers, at the time the write completes.
      return new Promise<void>((resolve) =>
        release.push(() => {
          const total = chunks.reduce((n, c) => n + c.length, 0);
          const bytes = new Uint8Array(total);
          let pos = 0;
          for (const c of chunks) (bytes.set(c, pos), (pos += c.length));
          writes.push({ offset, chunks: chunks.length, bytes });
          resolve();
        }),
      );
    },
    flushAsync: async () => void flushes++,
    setSize: () => {},
  };
  return { sink, writes, releaseAll: () => release.splice(0).forEach((r) => r()), flushes: () => flushes };
}

describe('Appender', () => {
  test('neighbouring views of one buffer go out as one vectored write of one chunk, after the copied bytes before them', async () => {
    const { sink, writes, releaseAll } = slowSink();
    const out = new Appender(sink, 100);
    out.append(new Uint8Array([9, 9]));
    const buffer = new Uint8Array([1, 2, 3, 4, 5, 6]);
    out.appendView(buffer.subarray(0, 2));
    out.appendView(buffer.subarray(2, 5));
    out.skip(10);
    out.appendView(buffer.subarray(5, 6));
    const written = out.flushed();
    releaseAll();
    await written;
    expect(writes).toEqual([
      { offset: 100, chunks: 1, bytes: new Uint8Array([9, 9]) },
      { offset: 102, chunks: 1, bytes: new Uint8Array([1, 2, 3, 4, 5]) },
      { offset: 117, chunks: 1, bytes: new Uint8Array([6]) },
    ]);
    expect(out.position).toBe(118);
  });

  test('flushed() settles only once the views were written, so their buffer may then be reused', async () => {
    const { sink, writes, releaseAll } = slowSink();
    const out = new Appender(sink, 0);
    const buffer = new Uint8Array([7, 7, 7]);
    out.appendView(buffer);
    let settled = false;
    const written = out.flushed().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    releaseAll();
    await written;
    expect(settled).toBe(true);
    buffer.fill(0); // reuse after the write: the file got the old bytes
    expect(writes[0]!.bytes).toEqual(new Uint8Array([7, 7, 7]));
  });

  test('starts background writebacks as data goes out, one at a time', async () => {
    const { sink, releaseAll, flushes } = slowSink();
    const out = new Appender(sink, 0);
    const mib = new Uint8Array(1024 * 1024).fill(1);
    for (let i = 0; i < 200; i++) {
      out.append(mib);
      releaseAll();
      await out.settle();
    }
    const done = out.finish();
    releaseAll();
    await done;
    expect(flushes()).toBeGreaterThanOrEqual(2);
    expect(flushes()).toBeLessThanOrEqual(3);
  });
});
