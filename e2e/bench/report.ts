/** Prints the results the way Hyperledger Caliper reports a round: one table row per phase. */
import type { Kind } from './config';
import { MACHINE, OTHER, type CpuUse } from './cpu';
import type { PhaseRun, Summary } from './stats';

export interface PhaseResult {
  kind: Kind;
  mode: 'closed' | 'open';
  /** Transactions in flight (closed loop) or the target send rate (open loop). */
  level: number;
  label: string;
  run: PhaseRun;
  summary: Summary;
  cpu: CpuUse[];
  wallS: number;
}

/** A Markdown table with padded columns, readable in a terminal and pasteable into docs. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
export const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
export const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');

function failures(s: Summary): string {
  if (s.failures.size === 0) return '-';
  return [...s.failures].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ×${String(n)}`).join(', ');
}

/** Every phase of every network, a row each, grouped by network. */
export function resultsTable(networks: readonly { label: string; results: readonly PhaseResult[] }[]): string {
  const headers = ['Network', 'Name', 'Load', 'Succ', 'Fail', 'Send rate (tx/s)', 'Throughput (tx/s)', 'Goodput (tx/s)',
    'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'Max (ms)', 'MVCC', 'Backlog / max in flight', 'Failures by code'];
  const rows = networks.flatMap(({ label, results }) => results.map((r) => [
    label, r.kind, r.label, String(r.summary.succ), String(r.summary.fail), f1(r.summary.sendRate), f1(r.summary.throughput),
    f1(r.summary.goodput), f0(r.summary.p50), f0(r.summary.p95), f0(r.summary.p99), f0(r.summary.max), String(r.summary.mvcc),
    `${String(r.run.backlog)} / ${String(r.run.maxInFlight)}`, failures(r.summary),
  ]));
  return table(headers, rows);
}

/** One table per kind: a row per process, a column per phase, CPU-seconds and % of one core. */
export function cpuTable(results: PhaseResult[]): string {
  const names = new Map<string, number>();
  for (const r of results) for (const u of r.cpu) names.set(u.name, (names.get(u.name) ?? 0) + u.seconds);
  const fixed = [OTHER, MACHINE];
  // Idle processes (the CAs, the other chaincode's servers) would only add rows of zeros.
  const ordered = [...names].filter(([n, s]) => !fixed.includes(n) && s >= 0.05).sort((a, b) => b[1] - a[1]).map(([n]) => n);
  ordered.push(...fixed.filter((n) => names.has(n)));
  const rows = ordered.map((name) => [name, ...results.map((r) => {
    const use = r.cpu.find((u) => u.name === name);
    return use ? `${f1(use.seconds)} s ${f0(use.percent)}%` : '-';
  })]);
  return table(['process', ...results.map((r) => `${r.label} (${f0(r.wallS)} s)`)], rows);
}

/** CPU milliseconds of process NAME per transaction committed VALID in the phase. */
export function cpuPerTransaction(r: PhaseResult, name: string): number {
  const use = r.cpu.find((u) => u.name === name);
  return use && r.summary.succ > 0 ? (use.seconds * 1000) / r.summary.succ : NaN;
}

/** Whether an open-loop phase kept up: the same rule that stops the series. */
export function keptUp(r: PhaseResult, maxP95Ms: number): boolean {
  return r.summary.goodput >= 0.8 * r.level && r.summary.p95 <= maxP95Ms;
}

/** The highest open-loop rate a kind kept up with. */
export function sustained(results: readonly PhaseResult[], kind: Kind, maxP95Ms: number): number {
  const ok = results.filter((r) => r.kind === kind && r.mode === 'open' && keptUp(r, maxP95Ms));
  return Math.max(0, ...ok.map((r) => r.level));
}

/** A kind's closed-loop phase with the most in flight: the nearest to its capacity. */
function atCapacity(results: readonly PhaseResult[], kind: Kind): PhaseResult | undefined {
  return results.filter((r) => r.kind === kind && r.mode === 'closed').sort((a, b) => b.level - a.level)[0];
}

/** A kind's open-loop phase at RATE, or else the highest one below it. */
function openAtOrBelow(results: readonly PhaseResult[], kind: Kind, rate: number): PhaseResult | undefined {
  return results.filter((r) => r.kind === kind && r.mode === 'open' && r.level <= rate).sort((a, b) => b.level - a.level)[0];
}

export interface Ratio {
  name: string;
  goal: string;
  /** The figure, and whether it meets the goal when there is one. */
  cell: string;
}

interface Goal {
  readonly text: string;
  readonly met: (value: number) => boolean;
}
const atLeast = (x: number): Goal => ({ text: `≥ ${String(x)}`, met: (v) => v >= x });
const atMost = (x: number, unit = ''): Goal => ({ text: `≤ ${String(x)}${unit}`, met: (v) => v <= x });

function figure(name: string, value: number, text: string, goal?: Goal): Ratio {
  const verdict = goal === undefined || !Number.isFinite(value) ? '' : goal.met(value) ? ' met' : ' NOT met';
  return { name, goal: goal?.text ?? '', cell: Number.isFinite(value) ? text + verdict : '-' };
}

/** The settings the ratios depend on. */
export interface RatioSettings {
  readonly maxP95Ms: number;
  readonly peakRate: number;
}

/**
 * The ratios of one network's run, always the same rows in the same order: the goals of the throughput work (issue
 * 13), each a ratio within this run against the blind-write baseline, since machines differ from day to day.
 */
export function ratios(results: readonly PhaseResult[], { maxP95Ms, peakRate }: RatioSettings): Ratio[] {
  // NaN (shown as '-') for a kind this run did not measure, never a 0 that reads as a measurement.
  const open = (kind: Kind): number => (results.some((r) => r.kind === kind) ? sustained(results, kind, maxP95Ms) : NaN);
  const cpu = (kind: Kind): number => {
    const r = atCapacity(results, kind);
    return r ? cpuPerTransaction(r, MACHINE) : NaN;
  };
  const ratio = (name: string, a: number, b: number, goal?: Goal): Ratio => figure(name, a / b, f2(a / b), goal);
  const p95 = (name: string, r: PhaseResult | undefined, goal?: Goal): Ratio =>
    figure(name, r?.summary.p95 ?? NaN, r ? `${f0(r.summary.p95)} ms at ${String(r.level)}/s` : '-', goal);
  const conflicts = results.reduce((a, r) => a + r.summary.mvcc, 0);
  return [
    ratio('REST ballots/s sustained ÷ baseline writes/s sustained', open('rest'), open('baseline'), atLeast(2.5)),
    ratio('  the same, gateway at one ballot a transaction (rest-single)', open('rest-single'), open('baseline')),
    ratio('  CastBallots straight to Fabric (direct-batch) ÷ baseline', open('direct-batch'), open('baseline')),
    ratio('machine CPU per REST ballot ÷ per baseline write (closed loop, most in flight)', cpu('rest'), cpu('baseline'), atMost(0.35)),
    ratio('  the same, rest-single', cpu('rest-single'), cpu('baseline')),
    p95('REST p95 at half its highest sustained rate', openAtOrBelow(results, 'rest', open('rest') / 2), atMost(1000, ' ms')),
    p95(`REST p95 at ${String(peakRate)} ballots/s (Moscow's peak)`, openAtOrBelow(results, 'rest', peakRate), atMost(600, ' ms')),
    p95(`  the same, rest-single`, openAtOrBelow(results, 'rest-single', peakRate)),
    ratio('REST ÷ direct-batch, sustained (what the REST layer keeps of Fabric with batching)', open('rest'), open('direct-batch')),
    { name: 'MVCC conflicts among distinct voters, all phases', goal: '0', cell: results.length === 0 ? '-' : `${String(conflicts)}${conflicts === 0 ? ' met' : ' NOT met'}` },
  ];
}
