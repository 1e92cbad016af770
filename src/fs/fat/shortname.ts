/**
 * 8.3 short names for long names (fatgen103 §7 "Basis-Name Generation Algorithm" and "Numeric-Tail
 * Generation Algorithm"). Every entry needs a short name; a long name that already is a valid 8.3
 * name in one case per part is stored as that short name alone, with the Windows NT lower-case flags.
 */
import { NTRES_LOWER_BASE, NTRES_LOWER_EXT } from './dirent.js';

/** Characters a short name may hold besides A-Z and 0-9 (§6.1). */
const SHORT_SPECIALS = new Set("$%'-_@~`!(){}^#&");

function isShortChar(ch: string): boolean {
  return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || SHORT_SPECIALS.has(ch);
}

/** The 11 name bytes for a base (≤ 8) and an extension (≤ 3), space padded. */
export function shortNameBytes(base: string, ext: string): Uint8Array {
  const out = new Uint8Array(11).fill(0x20);
  for (let i = 0; i < base.length; i++) out[i] = base.charCodeAt(i);
  for (let i = 0; i < ext.length; i++) out[8 + i] = ext.charCodeAt(i);
  return out;
}

/** Shows 11 name bytes as "BASE.EXT" (for messages and tests). */
export function shortNameText(name11: Uint8Array): string {
  const text = String.fromCharCode(...name11);
  const base = text.slice(0, 8).trimEnd();
  const ext = text.slice(8).trimEnd();
  return ext ? `${base}.${ext}` : base;
}

/** Case of the letters in a string: 'none' (no letters), 'lower', 'upper' or 'mixed'. */
function letterCase(s: string): 'none' | 'lower' | 'upper' | 'mixed' {
  const lower = /[a-z]/.test(s);
  const upper = /[A-Z]/.test(s);
  return lower && upper ? 'mixed' : lower ? 'lower' : upper ? 'upper' : 'none';
}

export type NameShape =
  /** Already 8.3 with one case per part: no long name needed. */
  | { readonly kind: 'exact'; readonly base: string; readonly ext: string; readonly ntRes: number }
  /** 8.3 in shape but mixed case: the upper-cased name is the short name, plus a long name. */
  | { readonly kind: 'fits'; readonly base: string; readonly ext: string }
  /** Needs a numeric tail ("PROGRA~1.TXT") and a long name. */
  | { readonly kind: 'basis'; readonly base: string; readonly ext: string };

/** Classifies a long name and derives its basis name. */
export function nameShape(long: string): NameShape {
  const dot = long.lastIndexOf('.');
  const rawBase = dot > 0 ? long.slice(0, dot) : long;
  const rawExt = dot > 0 ? long.slice(dot + 1) : '';
  const shaped = dot !== 0 && rawBase.length >= 1 && rawBase.length <= 8 && rawExt.length <= 3 && !rawBase.includes('.') && !(dot > 0 && rawExt === '');
  if (shaped && [...rawBase.toUpperCase(), ...rawExt.toUpperCase()].every(isShortChar)) {
    const baseCase = letterCase(rawBase);
    const extCase = letterCase(rawExt);
    const base = rawBase.toUpperCase();
    const ext = rawExt.toUpperCase();
    if (baseCase !== 'mixed' && extCase !== 'mixed') {
      const ntRes = (baseCase === 'lower' ? NTRES_LOWER_BASE : 0) | (extCase === 'lower' ? NTRES_LOWER_EXT : 0);
      return { kind: 'exact', base, ext, ntRes };
    }
    return { kind: 'fits', base, ext };
  }
  return { kind: 'basis', ...basisName(long) };
}

/**
 * §7 basis name: upper-case; characters a short name cannot hold become "_"; spaces and leading
 * periods go; the base is what precedes the last period (other periods dropped, as Windows does),
 * cut to 8; the extension is what follows it, cut to 3.
 */
function basisName(long: string): { base: string; ext: string } {
  const oem = [...long.toUpperCase()].map((ch) => (ch === '.' || ch === ' ' || isShortChar(ch) ? ch : '_')).join('');
  const stripped = oem.replace(/ /g, '').replace(/^\.+/, '');
  const dot = stripped.lastIndexOf('.');
  const base = (dot >= 0 ? stripped.slice(0, dot) : stripped).replace(/\./g, '').slice(0, 8);
  const ext = dot >= 0 ? stripped.slice(dot + 1).slice(0, 3) : '';
  return { base: base || '_', ext };
}

/**
 * Hands out unique short names within one directory. Names that are already 8.3 must be reserved
 * first (they keep their own short name); the others then get "~N" tails, counting up from 1 per
 * basis name, skipping names in use (the §7 numeric-tail algorithm).
 */
export class ShortNameAllocator {
  private readonly taken = new Set<string>();
  private readonly nextTail = new Map<string, number>();

  /** Claims an exact short name; false when it is already used. */
  reserve(base: string, ext: string): boolean {
    const key = `${base}.${ext}`;
    if (this.taken.has(key)) return false;
    this.taken.add(key);
    return true;
  }

  /** The first free "BASE~N.EXT" for a basis name, claimed. */
  withTail(base: string, ext: string): { base: string; ext: string } {
    const basisKey = `${base}.${ext}`;
    for (let n = this.nextTail.get(basisKey) ?? 1; ; n++) {
      const tail = `~${n}`;
      const candidate = base.slice(0, 8 - tail.length) + tail;
      if (this.reserve(candidate, ext)) {
        this.nextTail.set(basisKey, n + 1);
        return { base: candidate, ext };
      }
    }
  }
}
