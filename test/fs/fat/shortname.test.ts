import { describe, expect, test } from 'vitest';
import { NTRES_LOWER_BASE, NTRES_LOWER_EXT } from '../../../src/fs/fat/dirent.js';
import { nameShape, shortNameBytes, shortNameText, ShortNameAllocator } from '../../../src/fs/fat/shortname.js';

describe('8.3 short names (fatgen103 §7)', () => {
  test.each([
    ['BOOTX64.EFI', 'BOOTX64', 'EFI', 0],
    ['vmlinuz', 'VMLINUZ', '', NTRES_LOWER_BASE],
    ['grubx64.efi', 'GRUBX64', 'EFI', NTRES_LOWER_BASE | NTRES_LOWER_EXT],
    ['README.txt', 'README', 'TXT', NTRES_LOWER_EXT],
    ['1234.567', '1234', '567', 0],
    ['A~1', 'A~1', '', 0],
  ])('%s is already 8.3: stored as is, case in DIR_NTRes', (name, base, ext, ntRes) => {
    expect(nameShape(name)).toEqual({ kind: 'exact', base, ext, ntRes });
  });

  test.each([
    ['Mixed.Txt', 'MIXED', 'TXT'],
    ['EFI.Efi', 'EFI', 'EFI'],
  ])('%s fits 8.3 in mixed case: upper-cased short name, no tail', (name, base, ext) => {
    expect(nameShape(name)).toEqual({ kind: 'fits', base, ext });
  });

  test.each([
    ['loader.conf', 'LOADER', 'CON'],
    ['.bashrc', 'BASHRC', ''],
    ['foo bar.txt', 'FOOBAR', 'TXT'],
    ['a.b.c', 'AB', 'C'],
    ['linux+1,2;3=[x].img', 'LINUX_1_', 'IMG'],
    ['Ünïcødé', '_N_C_D_', ''],
    ['ab.', 'AB', ''],
    ['...', '_', ''],
  ])('%s needs a tail; basis %s.%s', (name, base, ext) => {
    expect(nameShape(name)).toEqual({ kind: 'basis', base, ext });
  });

  test('tails count per basis, skip reserved names and shorten the base as digits grow', () => {
    const a = new ShortNameAllocator();
    expect(a.reserve('PROGRA~2', '')).toBe(true);
    expect(a.reserve('PROGRA~2', '')).toBe(false);
    const got = Array.from({ length: 11 }, () => a.withTail('PROGRAMF', ''));
    expect(got.map((g) => g.base)).toEqual(['PROGRA~1', 'PROGRA~3', 'PROGRA~4', 'PROGRA~5', 'PROGRA~6', 'PROGRA~7', 'PROGRA~8', 'PROGRA~9', 'PROGR~10', 'PROGR~11', 'PROGR~12']);
    expect(a.withTail('PROGRAMF', 'TXT')).toEqual({ base: 'PROGRA~1', ext: 'TXT' }); // another extension, another name
  });

  test('11-byte form and back', () => {
    expect(String.fromCharCode(...shortNameBytes('README', 'TXT'))).toBe('README  TXT');
    expect(shortNameText(shortNameBytes('README', 'TXT'))).toBe('README.TXT');
    expect(shortNameText(shortNameBytes('EFI', ''))).toBe('EFI');
  });
});
