// Runs a command and measures wall time, CPU time (user + system) and peak resident memory.
// With GNU time (/usr/bin/time, Debian package "time") the figures come from the kernel's rusage
// of the finished process (ru_maxrss covers waited-for children too). Without it, peak RSS is
// sampled from /proc/PID/status VmHWM every 10 ms (a high-water mark, so only the last 10 ms can
// be missed) and CPU time is not reported.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';
const MARK = 'tsdib-measure:';

function highWaterKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resolves to { seconds, cpuSeconds?, peakRssMiB, status, stderr }. */
export function measure(command, args, options = {}) {
  const useTime = existsSync(GNU_TIME);
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', `${MARK}%e %U %S %M`, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    let peak = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = useTime ? undefined : setInterval(() => (peak = Math.max(peak, highWaterKiB(child.pid))), 10);
    child.on('error', reject);
    child.on('close', (status) => {
      if (timer) clearInterval(timer);
      let seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let cpuSeconds;
      const line = stderr.split('\n').find((l) => l.startsWith(MARK));
      if (line) {
        const [e, u, s, m] = line.slice(MARK.length).trim().split(/\s+/).map(Number);
        seconds = e;
        cpuSeconds = u + s;
        peak = m;
        stderr = stderr.replace(`${line}\n`, '');
      }
      resolve({ seconds, cpuSeconds, peakRssMiB: peak / 1024, status, stderr });
    });
  });
}
