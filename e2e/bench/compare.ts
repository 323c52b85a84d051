/**
 * The networks side by side: one table per measure, a column (or a pair of columns) per network and a
 * row per phase, process or process kind. A phase one network did not run (its open-loop series stopped
 * earlier) shows as '-'.
 */
import { KINDS, type Kind, type NetworkSpec } from './config';
import { MACHINE, OTHER } from './cpu';
import type { NetworkInfo } from './network';
import { byKind, LOAD_GENERATOR, memoryByKind, processKind, type ProcessMemory } from './processes';
import { cpuPerTransaction, f0, f1, ratios, sustained, table, type PhaseResult, type RatioSettings } from './report';

/** Everything measured on one network. */
export interface NetworkRun {
  spec: NetworkSpec;
  /** Unset when the network did not come up. */
  info?: NetworkInfo;
  /** Every tracked process right after start-up, before any load. */
  idleMemory: ProcessMemory[];
  /** The same at the end of the network's run, before `down`. */
  endMemory: ProcessMemory[];
  results: PhaseResult[];
  /** Why the network's run stopped early, if it did. */
  error?: string;
  /** Where its logs were kept when it failed (`down` deletes the run dir). */
  logs?: string;
}

/** The line of a failure that says why: network.sh's last ERROR line, else the message's first line. */
function reason(error: string): string {
  const lines = error.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.filter((l) => l.includes('ERROR')).pop() ?? lines[0] ?? '';
  return line.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').slice(0, 160);
}

export function networksTable(runs: readonly NetworkRun[]): string {
  return table(['network', 'orderers', 'Fabric binaries', 'start-up (s)', 'batch timeout', 'MaxMessageCount', 'PreferredMaxBytes', 'outcome'],
    runs.map(({ spec, info, results, error, logs }) => [
      spec.label, info?.orderers ?? '-', info ? `v${info.fabricBinaries}` : '-', info ? f0(info.startSeconds) : '-',
      info?.batch.batchTimeout ?? '-', info?.batch.maxMessageCount ?? '-', info?.batch.preferredMaxBytes ?? '-',
      error === undefined ? `${String(results.length)} phases` : `FAILED: ${reason(error)}${logs === undefined ? '' : ` (logs kept in ${logs})`}`,
    ]));
}

/** Resident memory summed per kind of process, "MiB (processes)": right after start-up and at the end, per network. */
export function memoryTable(runs: readonly NetworkRun[]): string {
  const columns = runs.flatMap((run) => [
    { header: `${run.spec.label} idle`, memory: run.idleMemory },
    { header: `${run.spec.label} after load`, memory: run.endMemory },
  ]).map((c) => ({ ...c, kinds: memoryByKind(c.memory) }));
  const kinds = [...new Set(columns.flatMap((c) => c.kinds.map((k) => k.kind)))].filter((k) => k !== LOAD_GENERATOR).sort(byKind);
  const cell = (mib: number, processes: number): string => (processes > 0 ? `${f0(mib)} (${String(processes)})` : '-');
  const row = (name: string, pick: (k: { kind: string }) => boolean): string[] => [name, ...columns.map((c) => {
    const mine = c.kinds.filter(pick);
    return cell(mine.reduce((a, k) => a + k.mib, 0), mine.reduce((a, k) => a + k.processes, 0));
  })];
  return table(['process kind', ...columns.map((c) => c.header)], [
    ...kinds.map((kind) => row(kind, (k) => k.kind === kind)),
    row('network total', (k) => k.kind !== LOAD_GENERATOR),
    row(LOAD_GENERATOR, (k) => k.kind === LOAD_GENERATOR),
  ]);
}

type PhaseKey = Pick<PhaseResult, 'kind' | 'mode' | 'level' | 'label'>;

const samePhase = (a: PhaseKey, b: PhaseKey): boolean => a.kind === b.kind && a.mode === b.mode && a.level === b.level;

/** Every phase any network ran, in run order: by kind, the closed loops, then the open-loop series. */
function phases(runs: readonly NetworkRun[]): PhaseKey[] {
  const keys: PhaseKey[] = [];
  for (const r of runs.flatMap((run) => run.results)) if (!keys.some((k) => samePhase(k, r))) keys.push(r);
  const rank = (k: PhaseKey): number => KINDS.indexOf(k.kind) * 2 + (k.mode === 'closed' ? 0 : 1);
  return keys.sort((a, b) => rank(a) - rank(b) || a.level - b.level);
}

/** A measure of every phase, a row per phase and a column per network. */
export function measureTable(runs: readonly NetworkRun[], cell: (r: PhaseResult) => string): string {
  const rows = phases(runs).map((key) => [key.kind, key.label, ...runs.map((run) => {
    const r = run.results.find((p) => samePhase(p, key));
    return r ? cell(r) : '-';
  })]);
  return table(['kind', 'load', ...runs.map((run) => run.spec.label)], rows);
}

export const goodput = (r: PhaseResult): string => f1(r.summary.goodput);
export const latency = (r: PhaseResult): string => `${f0(r.summary.p50)} / ${f0(r.summary.p95)} / ${f0(r.summary.p99)}`;
export const machineCpu = (r: PhaseResult): string => f1(cpuPerTransaction(r, MACHINE));

/** The highest open-loop rate each kind kept up with, per network. */
export function sustainedTable(runs: readonly NetworkRun[], kinds: readonly Kind[], maxP95Ms: number): string {
  return table(['kind', ...runs.map((run) => run.spec.label)],
    kinds.map((kind) => [kind, ...runs.map((run) => (run.results.some((r) => r.kind === kind) ? String(sustained(run.results, kind, maxP95Ms)) : '-'))]));
}

/** The closed-loop level every network's capacity is compared at: the highest one run for KIND. */
export function capacityLevel(runs: readonly NetworkRun[], kind: Kind): number | undefined {
  const levels = runs.flatMap((run) => run.results).filter((r) => r.kind === kind && r.mode === 'closed').map((r) => r.level);
  return levels.length > 0 ? Math.max(...levels) : undefined;
}

/**
 * CPU milliseconds per committed transaction of KIND for each process at closed-loop LEVEL, a column per
 * network; each kind of process with more than one member gets a sum row (orderers: 1 in quick mode, 4 in full).
 */
export function processCpuTable(runs: readonly NetworkRun[], kind: Kind, level: number): string {
  const at = runs.map((run) => run.results.find((r) => r.kind === kind && r.mode === 'closed' && r.level === level));
  const fixed = [OTHER, MACHINE];
  const all = [...new Set(at.flatMap((r) => r?.cpu.map((u) => u.name) ?? []))].filter((n) => !fixed.includes(n)).sort(byKind);
  // Idle processes (the CAs, the other chaincode's servers) would only add rows of zeros.
  const busy = all.filter((name) => at.some((r) => (r?.cpu.find((u) => u.name === name)?.seconds ?? 0) >= 0.05));
  const row = (title: string, names: readonly string[]): string[] => [title, ...at.map((r) => {
    const present = names.filter((n) => r?.cpu.some((u) => u.name === n));
    return r && present.length > 0 ? f1(present.reduce((a, n) => a + cpuPerTransaction(r, n), 0)) : '-';
  })];
  const rows: string[][] = [];
  for (const group of [...new Set(busy.map(processKind))]) {
    const members = busy.filter((n) => processKind(n) === group);
    rows.push(...members.map((n) => row(n, [n])));
    const everyMember = all.filter((n) => processKind(n) === group);
    if (everyMember.length > 1) rows.push(row(`${group}, sum`, everyMember));
  }
  rows.push(...fixed.map((n) => row(n, [n])));
  return table(['process', ...runs.map((run) => run.spec.label)], rows);
}

/** The ratios (goals reported, not asserted), a column per network. */
export function ratiosTable(runs: readonly NetworkRun[], settings: RatioSettings): string {
  const perRun = runs.map((run) => ratios(run.results, settings));
  const rows = (perRun[0] ?? ratios([], settings)).map((ratio, i) => [ratio.name, ratio.goal, ...perRun.map((r) => r[i]?.cell ?? '-')]);
  return table(['ratio', 'goal', ...runs.map((run) => run.spec.label)], rows);
}
