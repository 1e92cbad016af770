/**
 * The kernel command line tsdib's loaders pass: root=LABEL=<root label>, DIB's default arguments
 * (reference/dib.md §7, DIB_BOOTLOADER_DEFAULT_CMDLINE; DESIGN.md §5) and the user's extra ones.
 */
export const DIB_DEFAULT_CMDLINE = 'console=tty0 console=ttyS0,115200 no_timer_check nofb nomodeset gfxpayload=text';

export interface CmdlineOptions {
  readonly rootLabel: string;
  /** Appended (DIB's --cmdline / DIB_BOOTLOADER_DEFAULT_CMDLINE additions). */
  readonly extra?: string;
  /** Replaces DIB's default arguments (not root=) when given. */
  readonly defaults?: string;
  /** boot=LABEL=… when /boot is its own filesystem, as DIB adds. */
  readonly bootLabel?: string;
}

export function kernelCmdline(o: CmdlineOptions): string {
  const parts = [`root=LABEL=${o.rootLabel}`, 'ro', o.defaults ?? DIB_DEFAULT_CMDLINE];
  if (o.bootLabel) parts.push(`boot=LABEL=${o.bootLabel}`);
  if (o.extra && o.extra.trim()) parts.push(o.extra.trim());
  return parts.join(' ');
}
