/**
 * CPU time per process from /proc/<pid>/stat (utime + stime, every thread), for every
 * process the network scripts track plus this load generator, so each phase shows where
 * the two cores went.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { benchProcesses } from './processes';

export interface CpuSnapshot {
  at: number;
  ticks: Map<string, number>;
}

export interface CpuUse {
  name: string;
  seconds: number;
  /** Percent of one core over the phase's wall time. */
  percent: number;
}

const clockTicks = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function ticksOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy ticks of the whole machine (all cores), from the first line of /proc/stat. */
function machineBusyTicks(): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return total - (fields[3] ?? 0) - (fields[4] ?? 0);
  } catch {
    return undefined;
  }
}

export const MACHINE = 'whole machine (all processes)';
export const OTHER = 'other (untracked: kernel, other programs)';

export function cpuSnapshot(): CpuSnapshot {
  const ticks = new Map<string, number>();
  const busy = machineBusyTicks();
  if (busy !== undefined) ticks.set(MACHINE, busy);
  for (const [name, pid] of benchProcesses()) {
    const t = ticksOf(pid);
    if (t !== undefined) ticks.set(name, t);
  }
  return { at: performance.now(), ticks };
}

/**
 * CPU used by each process between two snapshots, busiest first, then what the rest of
 * the machine used (anything else running skews the figures, so it is shown).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse[] {
  const wallS = (after.at - before.at) / 1000;
  const uses: CpuUse[] = [];
  for (const [name, end] of after.ticks) {
    const start = before.ticks.get(name);
    if (start === undefined) continue;
    const seconds = (end - start) / clockTicks;
    uses.push({ name, seconds, percent: wallS > 0 ? (seconds / wallS) * 100 : NaN });
  }
  const machine = uses.find((u) => u.name === MACHINE);
  const mine = uses.filter((u) => u.name !== MACHINE).sort((a, b) => b.seconds - a.seconds);
  if (!machine) return mine;
  const tracked = mine.reduce((a, u) => a + u.seconds, 0);
  const other = Math.max(0, machine.seconds - tracked);
  return [...mine, { name: OTHER, seconds: other, percent: wallS > 0 ? (other / wallS) * 100 : NaN }, machine];
}
