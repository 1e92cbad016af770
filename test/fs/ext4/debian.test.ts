/**
 * A real Debian rootfs (mmdebstrap --mode=unshare, test/helpers/debian.ts) through the tar reader
 * and the ext4 writer: e2fsck calls it clean and debugfs reads every entry back as the tree holds it
 * (type, mode incl. setuid, owner, size, mtime ns, links, device numbers, link targets, file contents,
 * the cap_setuid capability and the ACLs byte for byte).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk } from '../../../src/disk/index.js';
import { autoSize, planExt4, writeExt4 } from '../../../src/fs/ext4/index.js';
import { readRootfs } from '../../../src/tar/index.js';
import { BodyReader } from '../../../src/tree/index.js';
import { debianRootfs } from '../../helpers/debian.js';
import { haveTools } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { debugfsBatch, dumpe2fsHeader, fsck, parseStat } from './oracle.js';

const tmp = useTmpDir();

describe.runIf(haveTools('mmdebstrap', 'e2fsck', 'debugfs', 'dumpe2fs'))('ext4 from a Debian rootfs', () => {
  test('e2fsck clean; every entry read back by debugfs', { timeout: 900_000 }, async () => {
    const work = tmp();
    const rootfs = await readRootfs([debianRootfs()], { tmpDir: work });
    try {
      const tree = rootfs.tree;
      const options = { seed: 'debian', time: 1700000000 };
      const plan = planExt4(tree, options);
      const image = join(work, 'root.ext4');
      const disk = FileDisk.create(image, autoSize(plan, options));
      writeExt4(disk, tree, options, plan);
      disk.close();

      const check = fsck(image);
      expect(check.status, check.output).toBe(0);
      expect(Number(dumpe2fsHeader(image).get('Inode count'))).toBeGreaterThan(plan.lastIno);

      const entries = [...tree.walk()];
      const stats = debugfsBatch(image, entries.map((e) => `stat "${e.path}"`), work);
      expect(stats).toHaveLength(entries.length);
      const links = tree.linkCounts();
      const types: Record<string, string> = { file: 'regular', dir: 'directory', symlink: 'symlink', char: 'character special', block: 'block special', fifo: 'FIFO', socket: 'socket' };
      entries.forEach(({ path, inode }, k) => {
        const s = parseStat(stats[k]!, path);
        expect([path, s.type, s.mode, s.uid, s.gid, s.mtime, s.links]).toEqual([path, types[inode.type], inode.mode, inode.uid, inode.gid, inode.mtime, (links.get(inode) ?? 0) + (path === '/' ? 1 : 0)]);
        if (inode.type === 'file') expect([path, s.size]).toEqual([path, inode.body!.size]);
        if (inode.type === 'char' || inode.type === 'block') expect([path, s.device]).toEqual([path, { major: inode.rdevMajor, minor: inode.rdevMinor }]);
        if (inode.type === 'symlink' && s.fastLink !== undefined) expect(s.fastLink).toBe(inode.linkTarget);
      });

      // Contents: every regular file (one name per inode) dumped in one debugfs run, hashed both ways.
      const reader = new BodyReader();
      const seen = new Set<unknown>();
      const files = entries.filter((e) => e.inode.type === 'file' && !seen.has(e.inode) && seen.add(e.inode));
      expect(files.length).toBeGreaterThan(1000);
      const dumpDir = tmp();
      debugfsBatch(image, files.map((f, k) => `dump "${f.path}" ${join(dumpDir, String(k))}`), work);
      files.forEach((f, k) => {
        const want = createHash('sha256').update(reader.read(f.inode.body!, 0, f.inode.body!.size)).digest('hex');
        expect([f.path, createHash('sha256').update(readFileSync(join(dumpDir, String(k)))).digest('hex')]).toEqual([f.path, want]);
      });
      reader.close();

      // Extended attributes byte for byte: the capability and ACLs the fixture carries.
      const withXattrs = entries.filter((e) => e.inode.xattrs.size > 0);
      expect(withXattrs.some((e) => e.inode.xattrs.has('security.capability'))).toBe(true);
      expect(withXattrs.some((e) => e.inode.xattrs.has('system.posix_acl_access'))).toBe(true);
      const requests: string[] = [];
      const expected: { path: string; name: string; value: Uint8Array; file: string }[] = [];
      for (const { path, inode } of withXattrs) {
        for (const [name, value] of inode.xattrs) {
          const file = join(dumpDir, `ea-${expected.length}`);
          requests.push(`ea_get -f ${file} "${path}" ${name}`);
          expected.push({ path, name, value, file });
        }
      }
      debugfsBatch(image, requests, work);
      for (const e of expected) {
        const got = new Uint8Array(readFileSync(e.file));
        const norm = e.name.startsWith('system.posix_acl') ? aclIdsNormalised : (b: Uint8Array) => b;
        expect([e.path, e.name, Buffer.from(norm(got)).toString('hex')]).toEqual([e.path, e.name, Buffer.from(norm(e.value)).toString('hex')]);
      }
    } finally {
      rootfs.cleanup();
    }
  });
});

/** debugfs writes id 0 where the kernel writes -1 in ACL entries that carry no id: compare without them. */
function aclIdsNormalised(value: Uint8Array): Uint8Array {
  const b = value.slice();
  const v = new DataView(b.buffer);
  for (let at = 4; at + 8 <= b.length; at += 8) if (![0x02, 0x08].includes(v.getUint16(at, true))) v.setUint32(at + 4, 0, true);
  return b;
}
