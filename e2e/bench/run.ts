/**
 * `npm run bench`: for each network named by --networks (default: quick mode on the default Fabric), one
 * after the other, starts it (.run-bench, ports +16000), records its idle memory, measures ballots through
 * REST, ballots straight through fabric-gateway, and the baseline's blind write, each in a closed loop and
 * an open-loop rate series, and takes it down; then prints the networks side by side, Caliper-style. It
 * always takes its network down. It reports figures; it never fails on speed.
 */
import './env';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDir } from '../test/support/network';
import {
  capacityLevel, goodput, latency, machineCpu, measureTable, memoryTable, networksTable, processCpuTable, ratiosTable,
  sustainedTable, type NetworkRun,
} from './compare';
import { parseConfig, type BenchConfig, type Kind, type NetworkSpec } from './config';
import { cpuBetween, cpuSnapshot } from './cpu';
import { closedLoop, openLoop } from './load';
import { benchNetwork, defaultFabricVersion, type BenchNetwork } from './network';
import { residentMemory } from './processes';
import { cpuTable, keptUp, resultsTable, table, type PhaseResult } from './report';
import { measureSigners, type SignerCost } from './signing';
import { summarize } from './stats';
import { baselineTarget, directTarget, restTarget, waitUntilReady, type Target } from './targets';

const t0 = Date.now();
/** Set by a signal: the phases stop starting while the network goes down. */
let stopping = false;
/** The network that is up (or coming up), for the signal handlers to take down. */
let current: BenchNetwork | undefined;
/** What was measured so far, for the signal handlers to print. */
let measured: Report | undefined;
const log = (line: string): void => {
  console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

async function makeTarget(kind: Kind, config: BenchConfig): Promise<Target> {
  if (kind === 'rest' || kind === 'rest-single') return restTarget(kind);
  if (kind === 'direct' || kind === 'direct-batch') return directTarget(kind, config.signer, config.batch);
  const target = baselineTarget(config.signer);
  // deployCC waits for gossip only for polls; the baseline's endorsers show up a little later.
  await waitUntilReady(target, 60_000);
  return target;
}

/**
 * One phase at LEVEL ballots in flight (closed) or ballots a second (open). A target whose operation carries several
 * ballots runs LEVEL / perOp operations in flight, or a second.
 */
async function phase(target: Target, config: BenchConfig, mode: 'closed' | 'open', level: number): Promise<PhaseResult> {
  const label = mode === 'closed' ? `closed, ${String(level)} in flight` : `open, ${String(level)}/s`;
  const op = target.operation(`${target.kind}-${mode}-${String(level)}-${String(Date.now())}`);
  const { perOp } = target;
  const mvccBefore = await target.hiddenMvcc();
  const before = cpuSnapshot();
  const run = mode === 'closed'
    ? await closedLoop(op, Math.ceil(config.count / perOp), Math.max(1, Math.round(level / perOp)), config.drainMs)
    : await openLoop(op, level / perOp, config.duration, config.drainMs);
  const after = cpuSnapshot();
  const summary = summarize(run, (await target.hiddenMvcc()) - mvccBefore, perOp);
  const result = { kind: target.kind, mode, level, label, run, summary, cpu: cpuBetween(before, after), wallS: (after.at - before.at) / 1000 };
  log(`${target.kind} ${label}: goodput ${summary.goodput.toFixed(1)}/s, p95 ${summary.p95.toFixed(0)} ms, ${String(summary.fail)} failed`);
  return result;
}

/** Runs KIND's phases into RESULTS as they finish, so a failure keeps what was measured. */
async function runKind(target: Target, config: BenchConfig, results: PhaseResult[]): Promise<void> {
  log(`${target.kind}: warm-up, ${String(config.warmup)} transactions (not counted)`);
  const warmupConcurrency = Math.max(...config.concurrency);
  const { perOp } = target;
  await closedLoop(target.operation(`${target.kind}-warmup-${String(Date.now())}`), Math.ceil(config.warmup / perOp), Math.max(1, Math.round(warmupConcurrency / perOp)), config.drainMs);
  // Latency when idle (Moscow's peak) first, whatever the series below reaches.
  if (!config.rates.includes(config.peakRate)) {
    await sleep(2000);
    results.push(await phase(target, config, 'open', config.peakRate));
  }
  for (const concurrency of config.concurrency) {
    if (stopping) return;
    // A pause between phases lets the previous phase's last blocks commit first.
    await sleep(2000);
    results.push(await phase(target, config, 'closed', concurrency));
  }
  for (const rate of config.rates) {
    if (stopping) return;
    await sleep(2000);
    const r = await phase(target, config, 'open', rate);
    results.push(r);
    if (!keptUp(r, config.maxP95Ms)) {
      log(`${target.kind}: stopping the series at ${String(rate)}/s (goodput below 80% of the rate, or p95 over ${String(config.maxP95Ms)} ms)`);
      return;
    }
  }
}

/** One network into RUNS: up, idle memory, every kind, memory after the load, down. A failure is recorded, not thrown. */
async function runNetwork(spec: NetworkSpec, config: BenchConfig, runs: NetworkRun[]): Promise<void> {
  const network = benchNetwork(spec);
  current = network;
  const run: NetworkRun = { spec, idleMemory: [], endMemory: [], results: [] };
  runs.push(run);
  try {
    run.info = await network.up(log);
    run.idleMemory = residentMemory();
    log(`network ${spec.label}: up in ${run.info.startSeconds.toFixed(0)} s, Fabric v${run.info.fabricBinaries}`);
    for (const kind of config.kinds) {
      if (stopping) break;
      const target = await makeTarget(kind, config);
      try {
        await runKind(target, config, run.results);
      } finally {
        await target.close();
      }
    }
  } catch (err) {
    // After a signal, the network going down makes whatever was in flight fail: that is no failure of its own.
    run.error = stopping ? 'interrupted' : err instanceof Error ? err.message : String(err);
    if (stopping) return;
    run.logs = network.keepLogs();
    log(`network ${spec.label} FAILED: ${run.error}`);
    if (run.logs !== undefined) log(`network ${spec.label}: its logs are kept in ${run.logs}`);
  } finally {
    if (run.info) run.endMemory = residentMemory();
    log(`network ${spec.label}: down`);
    await network.down();
    if (fs.existsSync(runDir)) log(`WARNING: ${runDir} is still there`);
  }
}

interface Report {
  config: BenchConfig;
  signing: SignerCost[];
  runs: NetworkRun[];
}

function section(title: string, body: string): void {
  console.log(`\n## ${title}\n`);
  console.log(body);
}

function printReport({ config, signing, runs }: Report): void {
  section('Signing cost (one ECDSA P-256 signature over a 3000-byte message; a transaction needs three)',
    table(['signer', 'µs / signature', 'signatures / s (one core)'],
      signing.map((s) => [s.name, s.microsPerSignature.toFixed(0), s.signaturesPerSecond.toFixed(0)])));
  section('Networks (orderer batching as the channel was created)', networksTable(runs));
  section('Resident memory (MiB, summed per kind; number of processes): right after start-up, and after the load', memoryTable(runs));
  if (!runs.some((r) => r.results.length > 0)) return;
  section('Goodput (ballots/s committed VALID; baseline: writes/s)', measureTable(runs, goodput));
  section('Latency p50 / p95 / p99 (ms, successful ballots)', measureTable(runs, latency));
  section('CPU per committed ballot, whole machine (ms; baseline: per write; includes any other program)', measureTable(runs, machineCpu));
  section(`Highest open-loop rate kept up with (ballots/s; goodput ≥ 80% of the rate, p95 ≤ ${String(config.maxP95Ms)} ms)`,
    sustainedTable(runs, config.kinds, config.maxP95Ms));
  for (const kind of config.kinds) {
    const level = capacityLevel(runs, kind);
    if (level === undefined) continue;
    section(`CPU per committed ballot by process (ms): ${kind}, closed loop, ${String(level)} in flight`, processCpuTable(runs, kind, level));
  }
  section('Ratios and goals, each within one run (reported, not asserted)', ratiosTable(runs, config));
  section(`All phases (latency of successful transactions; direct and baseline sign with ${config.signer})`,
    resultsTable(runs.map((r) => ({ label: r.spec.label, results: r.results }))));
  for (const run of runs) {
    for (const kind of config.kinds) {
      const mine = run.results.filter((r) => r.kind === kind);
      if (mine.length === 0) continue;
      section(`CPU per process: ${run.spec.label}, ${kind} (CPU-seconds and % of one core over each phase; 2 cores = 200%)`, cpuTable(mine));
    }
  }
}

async function main(): Promise<boolean> {
  const config = parseConfig(process.argv.slice(2), { fabricVersion: defaultFabricVersion() });
  console.log(`# poll-ledger benchmark, ${new Date().toISOString()}`);
  console.log(`machine: nproc ${sh('nproc', [])}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`settings: ${JSON.stringify({ ...config, networks: config.networks.map((n) => n.label) })}`);
  log(`networks, one after the other in ${runDir}: ${config.networks.map((n) => n.label).join(', ')}`);
  log(`signing: ${String(config.signatures)} signatures per signer, before any network starts (an idle machine)`);
  const signing = await measureSigners(config.signatures);
  const runs: NetworkRun[] = [];
  measured = { config, signing, runs };
  for (const spec of config.networks) {
    if (stopping) break;
    await runNetwork(spec, config, runs);
  }
  // After a signal, the handler prints the report once the network is down.
  if (!stopping) printReport(measured);
  return runs.every((r) => r.error === undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: taking the benchmark network down, then printing what was measured`);
    (current?.down() ?? Promise.resolve()).then(() => {
      if (measured) printReport(measured);
      process.exit(130);
    }, (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    // Every network's own run takes it down; this is a failure outside one (the options, the signing test).
    console.error(err);
    process.exit(1);
  },
);
