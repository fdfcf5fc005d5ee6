import { readFileSync } from 'node:fs';

/**
 * Linux reports CPU times in /proc in USER_HZ ticks, which the kernel fixes at 100 for
 * user space on every mainstream architecture (independent of the kernel's own HZ).
 */
const USER_HZ = 100;

/**
 * CPU time (user + system, in seconds) the process `pid` has used so far, from
 * `/proc/<pid>/stat`. Differences of two readings give the cores a process kept busy, which
 * matters here because the Collector, its backends and the load generator share the machine.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; everything after its closing
  // parenthesis is space-separated, starting with field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`/proc/${pid}/stat: unexpected format`);
  return (utime + stime) / USER_HZ;
}

/** Resident memory of a process, in MiB. */
export interface Memory {
  /** Current resident set size (`VmRSS`). */
  rssMiB: number;
  /** Peak resident set size since the process started (`VmHWM`, the high-water mark). */
  peakRssMiB: number;
}

/** Reads `VmRSS` and `VmHWM` from `/proc/<pid>/status`. */
export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`/proc/${pid}/status: no ${key}`);
    return Number(match[1]);
  };
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/**
 * CPU seconds the whole machine has spent busy so far (every state of the `cpu` line of
 * `/proc/stat` except idle and iowait). Compared with the processes a benchmark knows about,
 * it shows whether something else on the machine competed for the CPU during a measurement.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [label, ...ticks] = line.trim().split(/\s+/);
  if (label !== 'cpu') throw new Error('/proc/stat: no cpu line');
  // user nice system idle iowait irq softirq steal (guest time is already counted in user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}
