import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeTar } from '../../src/tar/index.js';
import { bytesBody, FileTree } from '../../src/tree/index.js';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function sourceDir(): string {
  const d = join(tmp(), 'root');
  mkdirSync(join(d, 'etc'), { recursive: true });
  mkdirSync(join(d, 'usr/bin'), { recursive: true });
  writeFileSync(join(d, 'etc/hostname'), 'tsdib\n');
  writeFileSync(join(d, 'usr/bin/tool'), Buffer.alloc(100000, 7), { mode: 0o755 });
  linkSync(join(d, 'usr/bin/tool'), join(d, 'usr/bin/tool-link'));
  symlinkSync('../etc/hostname', join(d, 'usr/hostname-link'));
  return d;
}

describe.runIf(haveTools('e2fsck', 'debugfs', 'tar'))('tsdib mkfs ext4', () => {
  test('a directory and a tarball layered into a clean image, with a summary line', () => {
    const dir = sourceDir();
    const out = join(tmp(), 'root.ext4');
    const layer = join(tmp(), 'layer.tar');
    const layerSrc = join(tmp(), 'layer');
    mkdirSync(join(layerSrc, 'etc'), { recursive: true });
    writeFileSync(join(layerSrc, 'etc/hostname'), 'from-the-layer\n');
    expect(runTool('tar', ['-C', layerSrc, '--owner=1000', '--group=1000', '--numeric-owner', '-cf', layer, 'etc']).status).toBe(0);
    const r = tsdib(['mkfs', 'ext4', dir, layer, '-o', out, '--seed', 'a', '--label', 'cloudimg-rootfs', '--quiet'], { env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/root\.ext4: ext4 \d+ MiB, 2 files \(.*\), inodes \d+\/\d+, blocks \d+\/\d+ of 4096 bytes, UUID [0-9a-f-]{36}/);
    const check = runTool('e2fsck', ['-fn', out]);
    expect(check.status, check.stdout).toBe(0);
    expect(runTool('debugfs', ['-R', 'cat /etc/hostname', out]).stdout).toBe('from-the-layer\n');
    expect(runTool('debugfs', ['-R', 'stat /etc/hostname', out]).stdout).toMatch(/User:\s+1000\s+Group:\s+1000/);
    expect(runTool('debugfs', ['-R', 'stat /usr/bin/tool-link', out]).stdout).toMatch(/Links: 2/);
    expect(runTool('debugfs', ['-R', 'stat /usr/hostname-link', out]).stdout).toMatch(/Fast link dest: "..\/etc\/hostname"/);
  });

  test('a pax tar with binary xattrs, ACLs, devices, setuid and ns times: read back byte for byte', async () => {
    const tree = new FileTree({ sec: 1700000000, nsec: 0 });
    const cap = Uint8Array.from([1, 0, 0, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // cap_setuid+ep
    tree.addFile('usr/bin/newuidmap', bytesBody(new Uint8Array(4000).fill(0xcc)), { mode: 0o755, xattrs: new Map([['security.capability', cap]]) });
    tree.addFile('usr/bin/passwd', bytesBody(new Uint8Array(100).fill(1)), { mode: 0o4755, mtime: { sec: 1690000000, nsec: 987654321 } });
    tree.addFile('home/u/file', bytesBody(new Uint8Array([1, 2, 3])), { uid: 3000000, gid: 2500000, mode: 0o640 });
    tree.addSpecial('dev/console', 'char', { mode: 0o600, rdevMajor: 5, rdevMinor: 1 });
    const acl = new Uint8Array(4 + 4 * 8);
    const v = new DataView(acl.buffer);
    v.setUint32(0, 2, true);
    [[1, 7, -1], [4, 5, -1], [0x10, 7, -1], [0x20, 5, -1]].forEach(([tag, perm, id], k) => {
      v.setUint16(4 + 8 * k, tag!, true);
      v.setUint16(6 + 8 * k, perm!, true);
      v.setInt32(8 + 8 * k, id!, true);
    });
    tree.addDir('var/log/journal', { mode: 0o2755, gid: 101, xattrs: new Map([['system.posix_acl_default', acl]]) });
    const tar = join(tmp(), 'rootfs.tar');
    await writeTar(tree, tar, { epoch: 1700000000 });
    const out = join(tmp(), 'root.ext4');
    const r = tsdib(['mkfs', 'ext4', tar, '-o', out, '--seed', 'x', '-q'], { env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const check = runTool('e2fsck', ['-fn', out]);
    expect(check.status, check.stdout).toBe(0);
    const stat = (p: string) => runTool('debugfs', ['-R', `stat ${p}`, out]).stdout;
    expect(stat('/usr/bin/newuidmap')).toMatch(/security\.capability \(20\) = 01 00 00 02 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00/);
    expect(stat('/usr/bin/passwd')).toMatch(/Mode:\s+04755/);
    expect(stat('/usr/bin/passwd')).toMatch(/mtime: 0x[0-9a-f]+:([0-9a-f]+)/);
    const extra = parseInt(/mtime: 0x[0-9a-f]+:([0-9a-f]+)/.exec(stat('/usr/bin/passwd'))![1]!, 16);
    expect(extra >>> 2).toBe(987654321);
    expect(stat('/home/u/file')).toMatch(/User:\s+3000000\s+Group:\s+2500000/);
    expect(stat('/dev/console')).toMatch(/Device major\/minor number: 05:01/);
    expect(stat('/var/log/journal')).toMatch(/system\.posix_acl_default/);
    expect(stat('/var/log/journal')).toMatch(/Mode:\s+02755/);
  });

  test('same inputs, seed and SOURCE_DATE_EPOCH: byte-identical; --json summary', () => {
    const dir = sourceDir();
    const a = join(tmp(), 'a.ext4');
    const b = join(tmp(), 'b.ext4');
    expect(tsdib(['mkfs', 'ext4', dir, '-o', a, '--seed', 's', '-q'], { env }).status).toBe(0);
    const r = tsdib(['mkfs', 'ext4', dir, '-o', b, '--seed', 's', '-q', '--json', '--size', '64MiB'], { env });
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.size).toBe(64 * 1024 * 1024);
    expect(summary.files).toBe(2);
    const c = join(tmp(), 'c.ext4');
    expect(tsdib(['mkfs', 'ext4', dir, '-o', c, '--seed', 's', '-q', '--size', '64MiB'], { env }).status).toBe(0);
    expect(sha(b)).toBe(sha(c));
    expect(sha(a)).not.toBe(sha(b)); // another size
  });

  test('content that does not fit, or a bad feature: exit 2, one line, no output left behind', () => {
    const dir = sourceDir();
    const outDir = tmp();
    const out = join(outDir, 'small.ext4');
    writeFileSync(join(dir, 'big'), Buffer.alloc(3 * 1024 * 1024, 1));
    const r = tsdib(['mkfs', 'ext4', dir, '-o', out, '--size', '2MiB', '-q'], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: ext4: the content needs \d+ MiB, the filesystem has 2 MiB: use a bigger --size/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const f = tsdib(['mkfs', 'ext4', dir, '-o', out, '--features', 'ext4,^bogus'], { env });
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/unknown feature "bogus"/);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe.runIf(haveTools('fsck.vfat', 'mdir', 'blkid'))('tsdib mkfs vfat and swap', () => {
  test('vfat from a directory: fsck.vfat clean, mtools lists it, label and serial from the seed', () => {
    const dir = join(tmp(), 'esp');
    mkdirSync(join(dir, 'EFI/BOOT'), { recursive: true });
    writeFileSync(join(dir, 'EFI/BOOT/BOOTX64.EFI'), Buffer.alloc(50000, 3));
    writeFileSync(join(dir, 'loader.conf'), 'timeout 3\n');
    const out = join(tmp(), 'esp.img');
    const r = tsdib(['mkfs', 'vfat', dir, '-o', out, '--size', '64MiB', '--label', 'ESP', '--seed', 'v', '-q'], { env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/esp\.img: vfat \(FAT32\) 64 MiB, 2 files \(.*\), clusters \d+ used, \d+ free, serial [0-9A-F]{4}-[0-9A-F]{4}/);
    const check = runTool('fsck.vfat', ['-n', out]);
    expect(check.status, check.stdout).toBe(0);
    expect(runTool('mdir', ['-i', out, '::/EFI/BOOT']).stdout).toMatch(/BOOTX64\s+EFI\s+50000/);
    const id = runTool('blkid', ['-p', out]).stdout;
    expect(id).toMatch(/LABEL="ESP"/);
    expect(id).toMatch(/TYPE="vfat"/);
  });

  test('swap: blkid sees the UUID and label; rootfs inputs or no --size are refused', () => {
    const out = join(tmp(), 'swap.img');
    const uuid = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    const r = tsdib(['mkfs', 'swap', '-o', out, '--size', '16MiB', '--uuid', uuid, '--label', 'swap0'], { env });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/swap\.img: swap 16 MiB, 4096 pages, UUID 0f1e2d3c/);
    const id = runTool('blkid', ['-p', out]).stdout;
    expect(id).toMatch(/TYPE="swap"/);
    expect(id).toMatch(new RegExp(`UUID="${uuid}"`));
    expect(id).toMatch(/LABEL="swap0"/);
    const noSize = tsdib(['mkfs', 'swap', '-o', join(tmp(), 'x.img')], { env });
    expect(noSize.status).toBe(2);
    expect(noSize.stderr).toMatch(/mkfs swap needs --size/);
    const withInput = tsdib(['mkfs', 'swap', tmp(), '-o', join(tmp(), 'y.img'), '--size', '1MiB'], { env });
    expect(withInput.status).toBe(2);
  });
});
