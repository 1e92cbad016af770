/**
 * The volume label (fatgen103 §3.2 BS_VolLab and the ATTR_VOLUME_ID entry in the root, §6). It is an
 * 11-byte short-name field, so it follows the short-name character rules; DOS and Windows upper-case
 * it, and DIB upper-cases vfat labels (dib.md §6), so we do too.
 */
import { inputError } from '../../errors.js';

export const LABEL_LENGTH = 11;
/** What the boot sector says when the volume has no label (§3.2). */
export const NO_LABEL = 'NO NAME    ';

/** Characters a short name (and so a label) may not hold, besides controls and non-ASCII (§6.1). */
const FORBIDDEN = new Set('"*+,./:;<=>?[\\]|');

/**
 * Upper-cases and checks a label; returns it padded with spaces to 11 bytes. `field` names the
 * option in the error (for example "--label" or "mkfs.label").
 */
export function normalizeLabel(label: string, field = 'label'): string {
  const upper = label.toUpperCase();
  if (upper.length === 0) throw inputError(`${field}: a FAT label cannot be empty`, 'omit the label instead');
  if (upper.length > LABEL_LENGTH) {
    throw inputError(`${field}: FAT label "${label}" is ${upper.length} characters, at most ${LABEL_LENGTH} fit`, 'use a shorter label');
  }
  for (const ch of upper) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code > 0x7e || FORBIDDEN.has(ch)) {
      throw inputError(
        `${field}: FAT label "${label}" contains ${JSON.stringify(ch)}, which FAT does not allow`,
        'use letters, digits, spaces and !#$%&\'()-@^_`{}~',
      );
    }
  }
  if (upper.startsWith(' ')) throw inputError(`${field}: FAT label "${label}" starts with a space`, 'remove the leading space');
  return upper.padEnd(LABEL_LENGTH, ' ');
}
