import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { readArchive, type TarEntry } from '../../src/tar/archive.js';
import { ArchiveFile } from '../../src/tar/source.js';
import { BodyReader } from '../../src/tree/body.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const FIXTURES = new URL('../fixtures/tar/', import.meta.url).pathname;
const STAMP = { sec: 1714979289, nsec: 123456789 };
const CAP_NET_RAW_SETUID = '0100000280200000000000000000000000000000';
const ACL_G1000 = '0200000001000700ffffffff04000500ffffffff08000500e803000010000700ffffffff20000500ffffffff';

function entriesOf(path: string): TarEntry[] {
  const file = new ArchiveFile(path);
  try {
    return [...readArchive(file, path)];
  } finally {
    file.close();
  }
}

function byPath(entries: TarEntry[], path: string): TarEntry {
  const e = entries.find((x) => x.path === path);
  if (!e) throw new Error(`no entry ${path} in ${entries.map((x) => x.path).join(', ')}`);
  return e;
}

function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes && Buffer.from(bytes).toString('hex');
}

/** The file's bytes as our entry describes them (regions over zeros), hashed. */
function bodyHash(archive: string, e: TarEntry): string {
  const reader = new BodyReader();
  const hash = createHash('sha256');
  reader.forEachChunk(
    { size: e.size, segments: e.regions.map((r) => ({ offset: r.offset, length: r.length, source: { path: archive, offset: r.archiveOffset } })) },
    1 << 20,
    (_off, bytes) => hash.update(bytes),
  );
  reader.close();
  return hash.digest('hex');
}

function catchError(fn: () => unknown): TsdibError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TsdibError) return e;
    throw e;
  }
  throw new Error('expected a TsdibError');
}

describe('xattrs are bytes', () => {
  test('GNU tar --xattrs: capability with bytes >= 0x80, binary user xattr, ACL xattr, ns mtime', () => {
    const entries = entriesOf(join(FIXTURES, 'xattrs-gnutar.tar'));
    const ping = byPath(entries, './bin/ping');
    expect(ping.type).toBe('file');
    expect(ping.mode).toBe(0o4755);
    expect(hex(ping.xattrs.get('security.capability'))).toBe(CAP_NET_RAW_SETUID);
    expect(hex(ping.xattrs.get('user.binary'))).toBe('00ff80fe');
    expect(ping.mtime).toEqual(STAMP);
    const journal = byPath(entries, './var/log/journal/');
    expect(journal.type).toBe('dir');
    expect(hex(journal.xattrs.get('system.posix_acl_access'))).toBe(ACL_G1000);
    const log = byPath(entries, './var/log/journal/x.log');
    expect([log.uid, log.gid, log.size]).toEqual([1000, 100, 4]);
  });

  test('bsdtar: LIBARCHIVE.xattr base64 values and the textual SCHILY.acl.access give the same bytes', () => {
    const entries = entriesOf(join(FIXTURES, 'xattrs-bsdtar.tar'));
    const ping = byPath(entries, './bin/ping');
    expect(hex(ping.xattrs.get('security.capability'))).toBe(CAP_NET_RAW_SETUID);
    expect(hex(ping.xattrs.get('user.binary'))).toBe('00ff80fe');
    expect(hex(byPath(entries, './var/log/journal/').xattrs.get('system.posix_acl_access'))).toBe(ACL_G1000);
  });
});

describe('GNU sparse members', () => {
  for (const name of ['sparse-0.0.tar', 'sparse-0.1.tar', 'sparse-1.0.tar', 'sparse-oldgnu.tar']) {
    test(`${name}: real size, data regions and content`, () => {
      const archive = join(FIXTURES, name);
      const entries = entriesOf(archive);
      expect(entries.map((e) => e.path)).toEqual(['sparse']);
      const e = entries[0]!;
      expect(e.size).toBe(3 * 1048576);
      expect(e.regions.map((r) => [r.offset, r.length])).toEqual([
        [1048576, 4096],
        [3 * 1048576 - 4096, 4096],
      ]);
      const reader = new BodyReader();
      const body = { size: e.size, segments: e.regions.map((r) => ({ offset: r.offset, length: r.length, source: { path: archive, offset: r.archiveOffset } })) };
      expect(Buffer.from(reader.read(body, 1048576 - 2, 9)).toString('latin1')).toBe('\0\0hello\0\0');
      expect(Buffer.from(reader.read(body, e.size - 4, 4)).toString('latin1')).toBe('\0end');
      reader.close();
    });
  }

  describe.runIf(haveTools('tar'))('against GNU tar extraction', () => {
    test.each(['sparse-0.0.tar', 'sparse-0.1.tar', 'sparse-1.0.tar', 'sparse-oldgnu.tar'])('%s content equals tar -xO', (name) => {
      const archive = join(FIXTURES, name);
      const r = runTool('tar', ['-xOf', archive], { encoding: 'buffer' });
      expect(r.status).toBe(0);
      const extracted = createHash('sha256').update(r.stdout as unknown as Buffer).digest('hex');
      expect(bodyHash(archive, entriesOf(archive)[0]!)).toBe(extracted);
    });
  });
});

test('base-256 uid and gid (GNU format)', () => {
  const [e] = entriesOf(join(FIXTURES, 'base256-gnu.tar'));
  expect(e!.path).toBe('owned');
  expect([e!.uid, e!.gid]).toEqual([3000000, 4000000]);
  expect(e!.mtime).toEqual({ sec: STAMP.sec, nsec: 0 });
});

test('GNU long names and long link targets (L and K members)', () => {
  const long = 'n'.repeat(150);
  const entries = entriesOf(join(FIXTURES, 'longnames-gnu.tar'));
  expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
    [long, 'file', ''],
    ['sym', 'symlink', long],
    ['hard', 'hardlink', long],
  ]);
  // The entry's offset is its first header: the L member before it.
  expect(entries[0]!.headerOffset).toBe(0);
});

describe('truncated or corrupt archives: exit 2, naming the file, the entry and the offset', () => {
  const tmp = useTmpDir();
  const source = readFileSync(join(FIXTURES, 'xattrs-gnutar.tar'));
  const pingOffset = () => byPath(entriesOf(join(FIXTURES, 'xattrs-gnutar.tar')), './bin/ping').headerOffset;

  test('cut inside a member body', () => {
    const entries = entriesOf(join(FIXTURES, 'xattrs-gnutar.tar'));
    const ping = byPath(entries, './bin/ping');
    const p = join(tmp(), 'cut.tar');
    writeFileSync(p, source.subarray(0, ping.regions[0]!.archiveOffset + 2));
    const err = catchError(() => entriesOf(p));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(p);
    expect(err.message).toContain(`entry "./bin/ping" at byte ${ping.headerOffset}`);
    expect(err.message).toContain('truncated');
  });

  test('cut inside a header block', () => {
    const p = join(tmp(), 'cut.tar');
    // The first entry is a pax header (0), its records (512) and the ustar header (1024), cut here.
    writeFileSync(p, source.subarray(0, 1024 + 100));
    const err = catchError(() => entriesOf(p));
    expect(err.message).toMatch(/header at byte 0: the file ends inside a header block \(1124 bytes\)/);
  });

  test('no end-of-archive blocks', () => {
    const entries = entriesOf(join(FIXTURES, 'xattrs-gnutar.tar'));
    const last = entries[entries.length - 1]!;
    const end = last.regions.length ? Math.ceil((last.regions[0]!.archiveOffset + last.size) / 512) * 512 : 0;
    const p = join(tmp(), 'cut.tar');
    writeFileSync(p, source.subarray(0, end));
    expect(catchError(() => entriesOf(p)).message).toContain('ends without its end-of-archive blocks');
  });

  test('a flipped byte in a header is a checksum mismatch at that header', () => {
    const at = pingOffset();
    // The ping entry starts with its pax header; the damaged block is the ustar header after it.
    const bad = Buffer.from(source);
    bad[at + 5] = bad[at + 5]! ^ 0x01;
    const p = join(tmp(), 'bad.tar');
    writeFileSync(p, bad);
    const err = catchError(() => entriesOf(p));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`at byte ${at}: header checksum mismatch`);
  });

  test('not a tar at all', () => {
    const p = join(tmp(), 'x.tar');
    writeFileSync(p, Buffer.alloc(1024, 0x41));
    expect(catchError(() => entriesOf(p)).message).toContain('header at byte 0');
  });

  test('a name that is not UTF-8 is refused, naming the bytes', () => {
    const p = join(tmp(), 'latin1.tar');
    const copy = Buffer.from(readFileSync(join(FIXTURES, 'base256-gnu.tar')));
    copy[0] = 0xe9; // "owned" → "\xe9wned", then fix the checksum
    copy.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += copy[i]!;
    copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    writeFileSync(p, copy);
    expect(catchError(() => entriesOf(p)).message).toContain('is not valid UTF-8');
  });
});

describe('damage never crashes the reader: it reads, or fails with an input error', () => {
  const tmp = useTmpDir();
  const names = ['xattrs-gnutar.tar', 'xattrs-bsdtar.tar', 'sparse-0.0.tar', 'sparse-0.1.tar', 'sparse-1.0.tar', 'sparse-oldgnu.tar', 'longnames-gnu.tar', 'base256-gnu.tar'];

  const outcome = (path: string): string => {
    try {
      entriesOf(path);
      return 'ok';
    } catch (e) {
      if (e instanceof TsdibError && e.exitCode === 2 && e.message.startsWith(`${path}: `)) return 'input error';
      throw e;
    }
  };

  test.each(names)('%s cut at every 64 bytes', (name) => {
    const bytes = readFileSync(join(FIXTURES, name));
    const p = join(tmp(), 'cut.tar');
    const seen = new Set<string>();
    for (let n = 0; n < bytes.length; n += 64) {
      writeFileSync(p, bytes.subarray(0, n));
      seen.add(outcome(p));
    }
    expect(seen.has('input error')).toBe(true);
  });

  test.each(names)('%s with single bytes overwritten (seeded)', (name) => {
    const bytes = readFileSync(join(FIXTURES, name));
    const p = join(tmp(), 'bad.tar');
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    // Damage only the first 4 KiB, where the headers, pax records and sparse maps are.
    for (let i = 0; i < 300; i++) {
      const copy = Buffer.from(bytes);
      copy[next() % Math.min(4096, copy.length)] = next() % 256;
      writeFileSync(p, copy);
      outcome(p);
    }
  });
});
