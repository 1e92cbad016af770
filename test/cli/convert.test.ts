/** tsdib convert as users run it (the built CLI in dist/: run `npm run build` first). */
import { join } from 'node:path';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { makeSparseDisk, SPARSE_CASES, writeRaw } from '../formats/helpers.js';

const ENV = { SOURCE_DATE_EPOCH: '1700000000' };

describe.runIf(haveTools('qemu-img'))('tsdib convert', () => {
  const tmp = useTmpDir();
  const rawIn = (dir: string) => {
    const p = join(dir, 'in.raw');
    writeRaw(makeSparseDisk(SPARSE_CASES[2]!), p);
    return p;
  };

  test('raw → qcow2 → vmdk (streamOptimized) → vdi → vhd → raw: every hop checked by qemu-img, the end byte-equal', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const hops: [string, string[], string][] = [
      ['a.qcow2', [], 'qcow2'],
      ['b.vmdk', ['-o', 'subformat=streamOptimized'], 'vmdk'],
      ['c.vdi', [], 'vdi'],
      ['d.vhd', ['-o', 'subformat=dynamic'], 'vpc'],
      ['e.img', ['-O', 'raw'], 'raw'],
    ];
    let prev = raw;
    for (const [name, args, qfmt] of hops) {
      const out = join(dir, name);
      const r = tsdib(['convert', '-q', '--seed', 't', prev, out, ...args], { env: ENV });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', qfmt, raw, out]);
      expect(cmp.stdout).toMatch(/Images are identical/);
      prev = out;
    }
    expect(readFileSync(prev).equals(readFileSync(raw))).toBe(true);
  });

  test('-c makes a compressed qcow2 that qemu-img checks clean', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const out = join(dir, 'c.qcow2');
    expect(tsdib(['convert', '-c', raw, out]).status).toBe(0);
    expect(runTool('qemu-img', ['check', out]).stdout).toMatch(/No errors were found/);
    expect(runTool('qemu-img', ['check', out]).stdout).toMatch(/[1-9][\d.]*% compressed clusters/);
  });

  test('same --seed and SOURCE_DATE_EPOCH give byte-identical VHD, VMDK and VDI', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    for (const ext of ['vhd', 'vmdk', 'vdi']) {
      // Same path each time: the vmdk descriptor names its own file.
      expect(tsdib(['convert', '--seed', 'same', raw, join(dir, `1.${ext}`)], { env: ENV }).status).toBe(0);
      const a = readFileSync(join(dir, `1.${ext}`));
      const again = tsdib(['convert', '--force', '--seed', 'same', raw, join(dir, `1.${ext}`)], { env: ENV });
      expect(again.status).toBe(0);
      expect(readFileSync(join(dir, `1.${ext}`)).equals(a)).toBe(true);
      const other = tsdib(['convert', '--force', '--seed', 'other', raw, join(dir, `1.${ext}`)], { env: ENV });
      expect(other.status).toBe(0);
      expect(readFileSync(join(dir, `1.${ext}`)).equals(a)).toBe(false);
    }
  });

  test('an existing output needs --force; the old file is left alone', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const out = join(dir, 'o.qcow2');
    writeFileSync(out, 'keep me');
    const r = tsdib(['convert', raw, out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/o\.qcow2 already exists: remove it or pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(tsdib(['convert', '--force', raw, out]).status).toBe(0);
  });

  test('usage errors exit 2 with one line: unknown -o key, -c for vdi, unknown format', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const cases: [string[], RegExp][] = [
      [['-O', 'qcow2', '-o', 'bogus=1'], /-o bogus: not an option of qcow2/],
      [['-O', 'vdi', '-c'], /-c: vdi cannot hold compressed data/],
      [['-O', 'qcow3'], /-O: unknown image format "qcow3"/],
      [['-O', 'vpc', '-o', 'azure=on'], /VHD for Azure: Azure needs subformat=fixed/],
      [['-O', 'qcow2', '-o', 'cluster_size=1000'], /cluster_size 1000 is not a power of two/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, 'u.img');
      const r = tsdib(['convert', raw, out, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });

  test('a corrupt input: exit 2, the file and structure named, no output and no temp file left', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const img = join(dir, 'bad.qcow2');
    expect(tsdib(['convert', raw, img]).status).toBe(0);
    const b = readFileSync(img);
    const l2 = Number(b.readBigUInt64BE(65536) & 0x00ff_ffff_ffff_fe00n);
    b.writeBigUInt64BE(0x8000_0000_4000_0000n, l2 + 8 * 40); // an L2 entry deep inside the data
    writeFileSync(img, b);
    const out = join(dir, 'out.vhd');
    const r = tsdib(['convert', img, out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.qcow2: qcow2 L2 entry for cluster 40 points to offset 1073741824, past the end of the file/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(['bad.qcow2', 'in.raw']);
  });

  test('-o before the positionals, and repeated -o, are both understood', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    const out = join(dir, 'f.vhd');
    const r = tsdib(['convert', '-o', 'subformat=fixed', '-o', 'creator=win', raw, out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const tail = readFileSync(out).subarray(-512);
    expect(tail.subarray(28, 32).toString('latin1')).toBe('win ');
    expect(tail.readUInt32BE(60)).toBe(2); // fixed
  });

  test('the output format follows the extension unless -O says otherwise', () => {
    const dir = tmp();
    const raw = rawIn(dir);
    expect(tsdib(['convert', raw, join(dir, 'x.vmdk')]).status).toBe(0);
    expect(JSON.parse(runTool('qemu-img', ['info', '--output=json', join(dir, 'x.vmdk')]).stdout).format).toBe('vmdk');
    expect(tsdib(['convert', '-O', 'qcow2', raw, join(dir, 'x.vmdk2')]).status).toBe(0);
    expect(JSON.parse(runTool('qemu-img', ['info', '--output=json', join(dir, 'x.vmdk2')]).stdout).format).toBe('qcow2');
  });
});
