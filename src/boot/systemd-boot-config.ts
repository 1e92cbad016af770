/**
 * systemd-boot's configuration on the ESP (Boot Loader Specification type #1 entries; loader.conf(5)):
 * /loader/loader.conf and /loader/entries/<id>.conf. Paths are relative to the ESP's root.
 */
export interface LoaderEntry {
  /** File name without .conf. */
  readonly id: string;
  readonly title: string;
  readonly version?: string;
  /** Path on the ESP, "/" separated ("/tsdib/vmlinuz-6.1.0-13-amd64"). */
  readonly linux: string;
  readonly initrd?: string;
  readonly options: string;
}

export function loaderConf(defaultEntry: string, timeout = 1): string {
  return `default ${defaultEntry}.conf\ntimeout ${timeout}\nconsole-mode keep\neditor no\n`;
}

export function loaderEntry(e: LoaderEntry): string {
  const lines = [`title ${e.title}`];
  if (e.version) lines.push(`version ${e.version}`);
  lines.push(`linux ${e.linux}`);
  if (e.initrd) lines.push(`initrd ${e.initrd}`);
  lines.push(`options ${e.options}`);
  return lines.join('\n') + '\n';
}
