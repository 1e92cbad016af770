/**
 * core.img built natively against grub-mkimage (the oracle, from Debian's grub-common with
 * grub-pc-bin's /usr/lib/grub/i386-pc): the payload our LZMA stream decodes to (decoded by liblzma) is
 * byte-identical to what grub-mkimage's stream decodes to, and diskboot/lzma_decompress differ only
 * in the size fields.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildCoreImage, buildCorePayload, SECTOR } from '../../src/boot/grub-core.js';
import { patchBlocklist } from '../../src/boot/grub-blocklist.js';
import { parseModdep, resolveModules } from '../../src/boot/grub-moddep.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const DIR = '/usr/lib/grub/i386-pc';
const tmp = useTmpDir();

function lzmaRawDecode(stream: Uint8Array, size: number): Buffer {
  const script = [
    'import lzma,sys',
    'd=lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[{"id":lzma.FILTER_LZMA1,"lc":3,"lp":0,"pb":2,"dict_size":1<<16}])',
    'sys.stdout.buffer.write(d.decompress(sys.stdin.buffer.read(), max_length=int(sys.argv[1])))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, String(size)], { input: stream, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(String(r.stderr));
  return r.stdout;
}

/** The decompressor's size fields and the payload it decodes to. */
function decodeCore(core: Uint8Array, decompressorSize: number): { compressed: number; uncompressed: number; payload: Buffer } {
  const v = new DataView(core.buffer, core.byteOffset + SECTOR);
  const compressed = v.getUint32(0x08, true);
  const uncompressed = v.getUint32(0x0c, true);
  const start = SECTOR + decompressorSize;
  return { compressed, uncompressed, payload: lzmaRawDecode(core.subarray(start, start + compressed), uncompressed) };
}

test('moddep.lst: each module after its dependencies, each once', () => {
  const deps = parseModdep('ext2: fshelp\nfshelp:\npart_gpt:\nbiosdisk:\nnormal: boot extcmd crypto terminal gettext bufio\nextcmd:\n');
  expect(resolveModules(['biosdisk', 'ext2', 'part_gpt'], deps, () => true)).toEqual(['biosdisk', 'fshelp', 'ext2', 'part_gpt']);
  expect(() => resolveModules(['normal'], deps, (m) => m !== 'boot')).toThrow(/boot\.mod is missing \(needed by normal\)/);
});

describe.runIf(existsSync(DIR) && haveTools('grub-mkimage', 'python3'))('against grub-mkimage (oracle)', () => {
  const file = (n: string) => new Uint8Array(readFileSync(join(DIR, n)));
  const modules = ['biosdisk', 'part_msdos', 'part_gpt', 'ext2'];
  const prefix = '(,msdos1)/boot/grub';

  test('the decoded payload is byte-identical; fixed parts equal; only the size fields differ', () => {
    const deps = parseModdep(readFileSync(join(DIR, 'moddep.lst'), 'utf8'));
    const order = resolveModules(modules, deps, (m) => existsSync(join(DIR, `${m}.mod`)));
    const input = {
      kernelImg: file('kernel.img'),
      diskbootImg: file('diskboot.img'),
      decompressorImg: file('lzma_decompress.img'),
      modules: order.map((name) => ({ name, bytes: file(`${name}.mod`) })),
      prefix,
    };
    const ours = buildCoreImage(input);
    const out = join(tmp(), 'core.img');
    const r = runTool('grub-mkimage', ['-O', 'i386-pc', '-d', DIR, '-p', prefix, '-o', out, ...modules]);
    expect(r.status, r.stderr).toBe(0);
    const theirs = new Uint8Array(readFileSync(out));
    const dsize = input.decompressorImg.length;

    const a = decodeCore(ours.bytes, dsize);
    const b = decodeCore(theirs, dsize);
    expect(a.uncompressed).toBe(b.uncompressed);
    expect(a.payload.length).toBe(a.uncompressed);
    expect(Buffer.compare(a.payload, b.payload)).toBe(0);
    expect(Buffer.compare(a.payload, Buffer.from(buildCorePayload(input).payload))).toBe(0);

    // lzma_decompress.img: equal outside the two size fields (0x08..0x0F).
    const decA = Buffer.from(ours.bytes.subarray(SECTOR, SECTOR + dsize));
    const decB = Buffer.from(theirs.subarray(SECTOR, SECTOR + dsize));
    decA.fill(0, 0x08, 0x10);
    decB.fill(0, 0x08, 0x10);
    expect(Buffer.compare(decA, decB)).toBe(0);

    // diskboot with the blocklist for LBA 1: grub-mkimage writes start 2, segment 0x820, and its own length.
    const patched = Uint8Array.from(ours.bytes);
    patchBlocklist(patched, 1);
    const v = new DataView(patched.buffer);
    expect(v.getBigUint64(0x1f4, true)).toBe(2n);
    expect(v.getUint16(0x1fc, true)).toBe(ours.sectors - 1);
    const w = new DataView(theirs.buffer, theirs.byteOffset);
    expect(w.getUint16(0x1fc, true)).toBe(Math.ceil(theirs.length / SECTOR) - 1);
    const diskA = Buffer.from(patched.subarray(0, SECTOR));
    const diskB = Buffer.from(theirs.subarray(0, SECTOR));
    diskA.fill(0, 0x1fc, 0x1fe);
    diskB.fill(0, 0x1fc, 0x1fe);
    expect(Buffer.compare(diskA, diskB)).toBe(0);
  });

  test('a GPT prefix and a config object are carried in the payload', () => {
    const deps = parseModdep(readFileSync(join(DIR, 'moddep.lst'), 'utf8'));
    const order = resolveModules(['biosdisk', 'part_gpt', 'ext2'], deps, () => true);
    const { payload } = buildCorePayload({
      kernelImg: file('kernel.img'),
      diskbootImg: file('diskboot.img'),
      decompressorImg: file('lzma_decompress.img'),
      modules: order.map((name) => ({ name, bytes: file(`${name}.mod`) })),
      prefix: '(,gpt2)/boot/grub',
      config: 'set root=(hd0,gpt2)',
    });
    const text = Buffer.from(payload).toString('latin1');
    expect(text).toContain('(,gpt2)/boot/grub\0');
    expect(text).toContain('set root=(hd0,gpt2)\0');
  });
});
