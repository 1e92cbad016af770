/**
 * Where elements are looked for: ELEMENTS_PATH / --elements-path, then the elements shipped with tsdib.
 *
 * DIB (reference/dib.md §2.1): ELEMENTS_PATH is colon-separated, earlier entries override later ones, and the
 * built-in elements directory is always appended last. DIB raises "$ELEMENTS_PATH must be set." when it is
 * unset; tsdib then simply uses its shipped elements. Empty entries (from `a::b` or a trailing colon) are
 * skipped rather than treated as the current directory.
 */
import { fileURLToPath } from 'node:url';

/** The elements/ directory that ships with tsdib (repo root; the package's "files" include it). */
export const SHIPPED_ELEMENTS_DIR = fileURLToPath(new URL('../../elements', import.meta.url));

/**
 * The ordered list of directories to search, highest priority first.
 * @param option  the --elements-path value, which wins over the environment when given
 * @param env     the process environment (ELEMENTS_PATH)
 * @param shipped the built-in directory appended last (pass null to leave it out, as tests of DIB's cases do)
 */
export function elementsSearchPath(
  option: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  shipped: string | null = SHIPPED_ELEMENTS_DIR,
): string[] {
  const user = option ?? env['ELEMENTS_PATH'] ?? '';
  const entries = user.split(':').filter((e) => e !== '');
  if (shipped !== null && !entries.includes(shipped)) entries.push(shipped);
  return entries;
}
