/**
 * Progress on stderr for long work (DESIGN.md §4): nothing for work under a second, a redrawn bar on
 * a TTY, plain lines at most every few seconds otherwise (CI logs), nothing under --quiet.
 * The clock is read here, at the edge, never in codecs.
 */
export interface Progress {
  /** Reports `done` of `total` units (bytes unless said otherwise). */
  update(done: number, total?: number): void;
  /** Ends the task; prints a final line only if progress was ever shown. */
  finish(summary?: string): void;
}

export interface ProgressOptions {
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  /** Milliseconds before the first report. */
  delayMs?: number;
}

const PLAIN_INTERVAL_MS = 5000;
const TTY_INTERVAL_MS = 100;

export function startProgress(label: string, options: ProgressOptions = {}): Progress {
  if (options.quiet) return { update() {}, finish() {} };
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  const delay = options.delayMs ?? 1000;
  let lastShown = 0;
  let shown = false;

  const line = (done: number, total?: number) => {
    if (!total) return `${label}: ${mib(done)}`;
    const pct = Math.min(100, Math.floor((done / total) * 100));
    if (!tty) return `${label}: ${pct}% (${mib(done)} of ${mib(total)})`;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    return `${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${pct}%`;
  };

  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < delay) return;
      if (now - lastShown < (tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
      lastShown = now;
      shown = true;
      stream.write(tty ? `\r${line(done, total)}` : `${line(done, total)}\n`);
    },
    finish(summary) {
      if (!shown) return;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`${tty ? '\r\x1b[K' : ''}${label}: done in ${secs} s${summary ? `, ${summary}` : ''}\n`);
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
