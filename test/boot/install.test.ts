/**
 * prepareBoot's choices and refusals, on small synthetic trees with payload stand-ins (no host
 * fallback): what auto picks and says, the files it adds, and every refusal before a byte is written
 * (missing payload naming its package, unreadable filesystems, no room for core.img).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { installBoot, prepareBoot, type BootLayout, type BootRoute } from '../../src/boot/index.js';
import { MemoryDisk } from '../../src/disk/index.js';
import { planTable, writeTable } from '../../src/mbr/index.js';
import { useTmpDir } from '../helpers/tmp.js';
import { TsdibError } from '../../src/errors.js';
import { INCOMPAT } from '../../src/fs/ext4/constants.js';
import { FileTree, bytesBody, hostFileBody, BodyReader } from '../../src/tree/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';

const tmp = useTmpDir();

const MiB = 1024 * 1024;
const GRUB_DIR = '/usr/lib/grub/i386-pc';
const haveHostGrub = existsSync(join(GRUB_DIR, 'kernel.img'));

function baseTree(): FileTree {
  const t = new FileTree();
  t.addFile('/boot/vmlinuz-6.1.0-13-amd64', bytesBody(new Uint8Array(100)));
  t.addFile('/boot/initrd.img-6.1.0-13-amd64', bytesBody(new Uint8Array(100)));
  return t;
}

/** The host's real GRUB i386-pc files placed in the tree (a rootfs with grub-pc-bin). */
function withGrub(t: FileTree): FileTree {
  for (const name of readdirSync(GRUB_DIR)) {
    const p = join(GRUB_DIR, name);
    t.addFile(p, hostFileBody(p, readFileSync(p).length));
  }
  return t;
}

const part = (number: number, offsetMiB: number, sizeMiB: number) => ({ number, offset: offsetMiB * MiB, size: sizeMiB * MiB });

function mbrLayout(startBytes = MiB, fs: BootLayout['root']['fs'] = { type: 'ext4' }): BootLayout {
  const p = { number: 1, offset: startBytes, size: 100 * MiB };
  return { scheme: 'mbr', partitions: [p], root: { partition: p, fs, label: 'cloudimg-rootfs' } };
}

function thrown(f: () => unknown): TsdibError {
  try {
    f();
  } catch (e) {
    if (e instanceof TsdibError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

const prep = (t: FileTree, route: BootRoute, layout: BootLayout, extra = {}) => prepareBoot(t, { route, layout, hostFallback: false, ...extra });

describe('refusals name the reason', () => {
  test('no loader payload at all: names the packages (exit 2)', () => {
    const e = thrown(() => prep(baseTree(), 'auto', mbrLayout()));
    expect(e.exitCode).toBe(2);
    expect(e.toLine()).toMatch(/no bootloader payload.*grub-pc-bin.*extlinux.*systemd-boot-efi/);
  });

  test('grub without GRUB files names grub-pc-bin', () => {
    expect(thrown(() => prep(baseTree(), 'grub', mbrLayout())).toLine()).toMatch(/i386-pc\/.* is missing.*install grub-pc-bin/);
  });

  test('extlinux without /usr/bin/extlinux names the package; systemd-boot without an ESP says what is needed', () => {
    expect(thrown(() => prep(baseTree(), 'extlinux', mbrLayout())).toLine()).toMatch(/extlinux is missing.*install extlinux/);
    expect(thrown(() => prep(baseTree(), 'systemd-boot', mbrLayout())).toLine()).toMatch(/needs an EFI system partition/);
  });

  test('no kernel: names the kernel package', () => {
    const t = new FileTree();
    t.addFile('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', bytesBody(new Uint8Array(10)));
    const esp = part(1, 1, 64);
    const root = part(2, 65, 100);
    const layout: BootLayout = { scheme: 'gpt', partitions: [esp, root], root: { partition: root, fs: { type: 'ext4' }, label: 'r' }, esp: { partition: esp, fs: { type: 'vfat' } } };
    expect(thrown(() => prep(t, 'auto', layout)).toLine()).toMatch(/no kernel.*linux-image-amd64/);
  });

  test('an unknown route is a usage error', () => {
    expect(thrown(() => prep(baseTree(), 'lilo' as BootRoute, mbrLayout())).toLine()).toMatch(/lilo is not a route.*auto, grub, systemd-boot, extlinux, none/);
  });

  test('GRUB refuses ext4 features it cannot read, and /boot on a filesystem it cannot read', () => {
    const t = withGrub(baseTree());
    const inline = thrown(() => prep(t, 'grub', mbrLayout(MiB, { type: 'ext4', incompat: INCOMPAT.extent | INCOMPAT.inline_data | INCOMPAT.filetype })));
    expect(inline.toLine()).toMatch(/GRUB cannot read .* has inline_data/);
    expect(thrown(() => prep(t, 'grub', mbrLayout(MiB, { type: 'ext4', incompat: INCOMPAT.casefold | INCOMPAT.filetype }))).toLine()).toMatch(/casefold/);
    expect(thrown(() => prep(t, 'grub', mbrLayout(MiB, { type: 'xfs' }))).toLine()).toMatch(/cannot read .* on xfs/);
  });

  test('EXTLINUX refuses inline_data and meta_bg, and a non-ext /boot', () => {
    const t = baseTree();
    t.addFile('/usr/bin/extlinux', bytesBody(new Uint8Array(10)));
    expect(thrown(() => prep(t, 'extlinux', mbrLayout(MiB, { type: 'ext4', incompat: INCOMPAT.meta_bg | INCOMPAT.filetype }))).toLine()).toMatch(/EXTLINUX cannot read .* meta_bg/);
    expect(thrown(() => prep(t, 'extlinux', mbrLayout(MiB, { type: 'vfat' }))).toLine()).toMatch(/EXTLINUX .* cannot boot from .* vfat/);
  });

  test('ESP that is not FAT is refused for systemd-boot', () => {
    const t = baseTree();
    t.addFile('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', bytesBody(new Uint8Array(10)));
    const esp = part(1, 1, 64);
    const root = part(2, 65, 100);
    const layout: BootLayout = { scheme: 'gpt', partitions: [esp, root], root: { partition: root, fs: { type: 'ext4' }, label: 'r' }, esp: { partition: esp, fs: { type: 'ext4' } } };
    expect(thrown(() => prep(t, 'systemd-boot', layout)).toLine()).toMatch(/EFI system partition holds ext4.*FAT/);
  });
});

describe.runIf(haveTools('grub-mkimage') && haveHostGrub)('GRUB planning with real i386-pc files', () => {
  test('a post-MBR gap too small for core.img is refused with both numbers', () => {
    const e = thrown(() => prep(withGrub(baseTree()), 'grub', mbrLayout(16 * 1024)));
    expect(e.toLine()).toMatch(/core\.img needs \d+ sectors but the post-MBR gap has 31.*1 MiB/);
  });

  test('GPT without a BIOS boot partition is refused for GRUB; auto then falls through', () => {
    const root = part(1, 1, 100);
    const layout: BootLayout = { scheme: 'gpt', partitions: [root], root: { partition: root, fs: { type: 'ext4' }, label: 'r' } };
    expect(thrown(() => prep(withGrub(baseTree()), 'grub', layout)).toLine()).toMatch(/BIOS boot partition \(type EF02\)/);
    expect(thrown(() => prep(withGrub(baseTree()), 'auto', layout)).toLine()).toMatch(/no bootloader payload/);
  });

  test('auto on MBR: GRUB, said so; grub.cfg with DIB cmdline, root label, serial; modules copied', () => {
    const t = withGrub(baseTree());
    const plan = prep(t, 'auto', mbrLayout(), { cmdline: 'quiet splash' });
    expect(plan.bios).toBe('grub');
    expect(plan.uefi).toBe('none');
    expect(plan.messages.join('\n')).toMatch(/auto chose GRUB i386-pc/);
    expect(plan.grub!.prefix).toBe('(,msdos1)/boot/grub');
    expect(plan.grub!.embedded).toEqual(expect.arrayContaining(['biosdisk', 'part_msdos', 'part_gpt', 'ext2', 'fshelp']));
    const cfgNode = t.lookup('/boot/grub/grub.cfg')!;
    const cfg = new TextDecoder().decode(new BodyReader().read(cfgNode.body!, 0, cfgNode.body!.size));
    expect(cfg).toMatch(/^serial --unit=0 --speed=115200/m);
    expect(cfg).toMatch(/terminal_output serial console/);
    expect(cfg).toMatch(/set timeout=1/);
    expect(cfg).toContain('linux /boot/vmlinuz-6.1.0-13-amd64 root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0,115200 no_timer_check nofb nomodeset gfxpayload=text quiet splash');
    expect(cfg).toContain('initrd /boot/initrd.img-6.1.0-13-amd64');
    expect(t.lookup('/boot/grub/i386-pc/normal.mod')?.type).toBe('file');
    expect(t.lookup('/boot/grub/i386-pc/command.lst')?.type).toBe('file');
    expect(plan.noHoles('/boot/vmlinuz-6.1.0-13-amd64', t.lookup('/boot/vmlinuz-6.1.0-13-amd64')!)).toBe(false);
  });

  test('separate /boot: paths and prefix are relative to it; boot=LABEL= added', () => {
    const t = withGrub(baseTree());
    const boot = part(1, 1, 200);
    const root = part(2, 201, 100);
    const layout: BootLayout = { scheme: 'mbr', partitions: [boot, root], root: { partition: root, fs: { type: 'ext4' }, label: 'cloudimg-rootfs' }, boot: { partition: boot, fs: { type: 'ext4' }, label: 'cloudimg-boot' } };
    const plan = prep(t, 'grub', layout);
    expect(plan.grub!.prefix).toBe('(,msdos1)/grub');
    const cfgNode = t.lookup('/boot/grub/grub.cfg')!;
    const cfg = new TextDecoder().decode(new BodyReader().read(cfgNode.body!, 0, cfgNode.body!.size));
    expect(cfg).toContain('linux /vmlinuz-6.1.0-13-amd64 root=LABEL=cloudimg-rootfs');
    expect(cfg).toContain('boot=LABEL=cloudimg-boot');
    expect(cfg).toContain('initrd /initrd.img-6.1.0-13-amd64');
  });

  test('none installs nothing', () => {
    const plan = prep(withGrub(baseTree()), 'none', mbrLayout());
    expect([plan.bios, plan.uefi, plan.files.length]).toEqual(['none', 'none', 0]);
  });
});

describe('UEFI choices', () => {
  const esp = part(1, 1, 64);
  const root = part(2, 65, 100);
  const layout: BootLayout = { scheme: 'gpt', partitions: [esp, root], root: { partition: root, fs: { type: 'ext4' }, label: 'cloudimg-rootfs' }, esp: { partition: esp, fs: { type: 'vfat' }, mountPoint: '/boot/efi' } };
  const read = (t: FileTree, p: string) => {
    const n = t.lookup(p)!;
    return new TextDecoder().decode(new BodyReader().read(n.body!, 0, n.body!.size));
  };

  test('shim + signed GRUB preferred when the rootfs has both; ESP grub.cfg chains to /boot/grub/grub.cfg by label', () => {
    const t = baseTree();
    t.addFile('/usr/lib/shim/shimx64.efi.signed', bytesBody(Uint8Array.of(1)));
    t.addFile('/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed', bytesBody(Uint8Array.of(2)));
    t.addFile('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', bytesBody(Uint8Array.of(3)));
    const plan = prep(t, 'auto', layout);
    expect([plan.bios, plan.uefi]).toEqual(['none', 'shim-grub']);
    expect(plan.messages.join('\n')).toMatch(/shim \+ signed GRUB/);
    expect(t.lookup('/boot/efi/EFI/BOOT/BOOTX64.EFI')!.body!.segments[0]!.source).toMatchObject({ bytes: Uint8Array.of(1) });
    expect(t.lookup('/boot/efi/EFI/BOOT/grubx64.efi')!.body!.segments[0]!.source).toMatchObject({ bytes: Uint8Array.of(2) });
    expect(read(t, '/boot/efi/EFI/BOOT/grub.cfg')).toBe('search --no-floppy --label --set=root cloudimg-rootfs\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n');
    expect(read(t, '/boot/grub/grub.cfg')).toContain('linux /boot/vmlinuz-6.1.0-13-amd64 root=LABEL=cloudimg-rootfs');
  });

  test('systemd-boot: loader.conf, an entry, kernel and initrd copied to the ESP (same bodies)', () => {
    const t = baseTree();
    t.addFile('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', bytesBody(Uint8Array.of(3)));
    const plan = prep(t, 'systemd-boot', layout, { cmdline: 'quiet' });
    expect(plan.uefi).toBe('systemd-boot');
    expect(read(t, '/boot/efi/loader/loader.conf')).toBe('default tsdib.conf\ntimeout 1\nconsole-mode keep\neditor no\n');
    expect(read(t, '/boot/efi/loader/entries/tsdib.conf')).toBe(
      'title Linux 6.1.0-13-amd64 (tsdib)\nversion 6.1.0-13-amd64\nlinux /tsdib/vmlinuz-6.1.0-13-amd64\ninitrd /tsdib/initrd.img-6.1.0-13-amd64\n' +
        'options root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0,115200 no_timer_check nofb nomodeset gfxpayload=text quiet\n',
    );
    expect(t.lookup('/boot/efi/tsdib/vmlinuz-6.1.0-13-amd64')!.body).toBe(t.lookup('/boot/vmlinuz-6.1.0-13-amd64')!.body);
  });
});

describe.runIf(haveTools('syslinux'))('EXTLINUX planning (payloads from the mtools syslinux binary, same layout as extlinux)', () => {
  test('adds ldlinux.sys (+ADV, 0444), ldlinux.c32 and extlinux.conf; noHoles covers exactly what SYSLINUX reads', () => {
    const t = baseTree();
    const bin = '/usr/bin/syslinux';
    t.addFile('/usr/bin/extlinux', hostFileBody(bin, readFileSync(bin).length));
    t.addFile('/usr/lib/syslinux/mbr/mbr.bin', bytesBody(new Uint8Array(440)));
    t.addFile('/usr/bin/other', bytesBody(new Uint8Array(10)));
    const plan = prep(t, 'extlinux', mbrLayout(), { cmdline: 'quiet' });
    expect(plan.bios).toBe('extlinux');
    const sys = t.lookup('/boot/syslinux/ldlinux.sys')!;
    expect(sys.mode).toBe(0o444);
    expect(sys.body!.size % 512).toBe(0);
    const conf = read(t, '/boot/syslinux/extlinux.conf');
    expect(conf.split('\n')[0]).toBe('SERIAL 0 115200');
    expect(conf).toContain('  LINUX /boot/vmlinuz-6.1.0-13-amd64\n  INITRD /boot/initrd.img-6.1.0-13-amd64\n  APPEND root=LABEL=cloudimg-rootfs ro');
    for (const p of ['/boot/syslinux/ldlinux.sys', '/boot/syslinux/ldlinux.c32', '/boot/syslinux/extlinux.conf', '/boot/vmlinuz-6.1.0-13-amd64', '/boot/initrd.img-6.1.0-13-amd64']) {
      expect(plan.noHoles(p, t.lookup(p)!), p).toBe(true);
    }
    expect(plan.noHoles('/usr/bin/other', t.lookup('/usr/bin/other')!)).toBe(false);
  });

  test('a logical partition cannot be booted by mbr.bin; GPT needs gptmbr.bin', () => {
    const t = baseTree();
    const bin = '/usr/bin/syslinux';
    t.addFile('/usr/bin/extlinux', hostFileBody(bin, readFileSync(bin).length));
    const logical = { number: 5, offset: MiB, size: 100 * MiB };
    const layout: BootLayout = { scheme: 'mbr', partitions: [logical], root: { partition: logical, fs: { type: 'ext4' }, label: 'r' } };
    expect(thrown(() => prep(t, 'extlinux', layout)).toLine()).toMatch(/logical partition 5.*primary/);
    const root = part(1, 1, 100);
    const gpt: BootLayout = { scheme: 'gpt', partitions: [root], root: { partition: root, fs: { type: 'ext4' }, label: 'r' } };
    expect(thrown(() => prep(t, 'extlinux', gpt)).toLine()).toMatch(/gptmbr\.bin is missing.*syslinux-common/);
  });
});

function read(t: FileTree, p: string): string {
  const n = t.lookup(p)!;
  return new TextDecoder().decode(new BodyReader().read(n.body!, 0, n.body!.size));
}

describe.runIf(haveTools('grub-mkimage', 'sfdisk') && haveHostGrub)('installBoot (GRUB) on a disk', () => {
  test('same inputs, same bytes; LBA 0 keeps the table sfdisk reads; core.img sits in the gap with its blocklist', () => {
    const size = 64 * MiB;
    const build = () => {
      const table = planTable({ label: 'mbr', diskSize: size, partitions: [{ name: 'root', size: '100%', flags: ['boot', 'primary'] }], seed: 'det' });
      const disk = new MemoryDisk(size);
      writeTable(disk, table.table);
      const p = table.partitions[0]!;
      const plan = prep(withGrub(baseTree()), 'grub', { scheme: 'mbr', partitions: [p], root: { partition: p, fs: { type: 'ext4' }, label: 'cloudimg-rootfs' } });
      installBoot(disk, plan);
      return { bytes: disk.read(0, MiB), plan, part: p };
    };
    const a = build();
    const b = build();
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes))).toBe(0);
    const v = new DataView(a.bytes.buffer, a.bytes.byteOffset);
    expect(v.getBigUint64(0x5c, true)).toBe(1n); // boot.img loads core.img from LBA 1
    expect(v.getBigUint64(512 + 0x1f4, true)).toBe(2n); // diskboot loads the rest from LBA 2
    expect(v.getUint16(512 + 0x1fc, true)).toBe(a.plan.grub!.core.sectors - 1);
    const path = join(tmp(), 'disk.img');
    const full = new Uint8Array(size);
    full.set(a.bytes);
    writeFileSync(path, full);
    const dump = runTool('sfdisk', ['-d', path]).stdout;
    expect(dump).toMatch(/label: dos/);
    expect(dump).toMatch(new RegExp(`start=\\s*2048, size=\\s*${a.part.size / 512}, type=83, bootable`));
    // A final layout whose first partition now starts inside core.img is refused, not overwritten.
    const moved = { number: 1, offset: 40 * 512, size: MiB };
    expect(() => installBoot(new MemoryDisk(size), a.plan, { layout: { scheme: 'mbr', partitions: [moved], root: { partition: moved, fs: { type: 'ext4' }, label: 'x' } } })).toThrow(/would overlap the first partition at LBA 40/);
  });
});
