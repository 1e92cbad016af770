/**
 * extlinux.conf written by tsdib (SYSLINUX's doc/syslinux.txt): SERIAL must come first; TIMEOUT is
 * in tenths of a second; paths are relative to the filesystem holding them.
 */
export interface ExtlinuxConfigOptions {
  readonly kernel: string;
  readonly initrd?: string;
  readonly append: string;
  /** Seconds. */
  readonly timeout: number;
  readonly label?: string;
}

export function extlinuxConfig(o: ExtlinuxConfigOptions): string {
  const label = o.label ?? 'tsdib';
  const lines = ['SERIAL 0 115200', 'PROMPT 0', `TIMEOUT ${Math.max(1, Math.round(o.timeout * 10))}`, `DEFAULT ${label}`, '', `LABEL ${label}`, `  LINUX ${o.kernel}`];
  if (o.initrd) lines.push(`  INITRD ${o.initrd}`);
  lines.push(`  APPEND ${o.append}`);
  return lines.join('\n') + '\n';
}
