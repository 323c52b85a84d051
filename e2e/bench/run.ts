/**
 * `npm run bench`: starts its own network (.run-bench, ports +30000), measures ballots
 * through REST, ballots straight through fabric-gateway, and the baseline's blind write,
 * each in a closed loop and an open-loop rate series, prints Caliper-style tables, and
 * always takes the network down. It reports figures; it never fails on speed.
 */
import './env';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDir } from '../test/support/network';
import { parseConfig, type BenchConfig, type Kind } from './config';
import { cpuBetween, cpuSnapshot, residentMemory } from './cpu';
import { closedLoop, openLoop } from './load';
import { batchSettings, downNetwork, startNetwork } from './network';
import { cpuTable, keptUp, ratiosTable, resultsTable, table, type PhaseResult } from './report';
import { measureSigners, type SignerCost } from './signing';
import { summarize } from './stats';
import { baselineTarget, directTarget, restTarget, waitUntilReady, type Target } from './targets';

const t0 = Date.now();
/** Set by a signal: the phases stop starting while the network goes down. */
let stopping = false;
const log = (line: string): void => {
  console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}`);
};

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

async function makeTarget(kind: Kind, config: BenchConfig): Promise<Target> {
  if (kind === 'rest') return restTarget();
  if (kind === 'direct') return directTarget(config.signer);
  const target = baselineTarget(config.signer);
  // deployCC waits for gossip only for polls; the baseline's endorsers show up a little later.
  await waitUntilReady(target, 60_000);
  return target;
}

async function phase(target: Target, config: BenchConfig, mode: 'closed' | 'open', level: number): Promise<PhaseResult> {
  const label = mode === 'closed' ? `closed, ${String(level)} in flight` : `open, ${String(level)}/s`;
  const op = target.operation(`${target.kind}-${mode}-${String(level)}-${String(Date.now())}`);
  const mvccBefore = await target.hiddenMvcc();
  const before = cpuSnapshot();
  const run = mode === 'closed'
    ? await closedLoop(op, config.count, level, config.drainMs)
    : await openLoop(op, level, config.duration, config.drainMs);
  const after = cpuSnapshot();
  const summary = summarize(run, (await target.hiddenMvcc()) - mvccBefore);
  const result = { kind: target.kind, mode, level, label, run, summary, cpu: cpuBetween(before, after), wallS: (after.at - before.at) / 1000 };
  log(`${target.kind} ${label}: goodput ${summary.goodput.toFixed(1)}/s, p95 ${summary.p95.toFixed(0)} ms, ${String(summary.fail)} failed`);
  return result;
}

async function runKind(target: Target, config: BenchConfig): Promise<PhaseResult[]> {
  log(`${target.kind}: warm-up, ${String(config.warmup)} transactions (not counted)`);
  const warmupConcurrency = Math.max(...config.concurrency);
  await closedLoop(target.operation(`${target.kind}-warmup-${String(Date.now())}`), config.warmup, warmupConcurrency, config.drainMs);
  const results: PhaseResult[] = [];
  for (const concurrency of config.concurrency) {
    if (stopping) return results;
    // A pause between phases lets the previous phase's last blocks commit first.
    await sleep(2000);
    results.push(await phase(target, config, 'closed', concurrency));
  }
  for (const rate of config.rates) {
    if (stopping) return results;
    await sleep(2000);
    const r = await phase(target, config, 'open', rate);
    results.push(r);
    if (!keptUp(r, config.maxP95Ms)) {
      log(`${target.kind}: stopping the series at ${String(rate)}/s (goodput below 80% of the rate, or p95 over ${String(config.maxP95Ms)} ms)`);
      break;
    }
  }
  return results;
}

interface Report {
  signing: SignerCost[];
  batch?: ReturnType<typeof batchSettings>;
  results: PhaseResult[];
  memory: ReturnType<typeof residentMemory>;
}

function printReport(config: BenchConfig, { signing, batch, results, memory }: Report): void {
  console.log('\n## Signing cost (one ECDSA P-256 signature over a 3000-byte message; a transaction needs three)\n');
  console.log(table(['signer', 'µs / signature', 'signatures / s (one core)'],
    signing.map((s) => [s.name, s.microsPerSignature.toFixed(0), s.signaturesPerSecond.toFixed(0)])));
  if (batch) {
    console.log('\n## Orderer batching (channel polls, as created)\n');
    console.log(table(['BatchTimeout', 'MaxMessageCount', 'PreferredMaxBytes'], [[batch.batchTimeout, batch.maxMessageCount, batch.preferredMaxBytes]]));
  }
  if (results.length === 0) return;
  console.log(`\n## Results (latency of successful transactions; direct and baseline sign with ${config.signer})\n`);
  console.log(resultsTable(results));
  console.log('\n## Ratios (goals are reported, not asserted)\n');
  console.log(ratiosTable(results, config.maxP95Ms));
  for (const kind of config.kinds) {
    const mine = results.filter((r) => r.kind === kind);
    if (mine.length === 0) continue;
    console.log(`\n## CPU per process: ${kind} (CPU-seconds and % of one core over each phase; 2 cores = 200%)\n`);
    console.log(cpuTable(mine));
  }
  if (memory.length > 0) {
    console.log('\n## Resident memory at the end of the run\n');
    console.log(table(['process', 'RSS (MiB)'], memory.map((m) => [m.name, m.mib.toFixed(0)])));
  }
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  console.log(`# poll-ledger benchmark, ${new Date().toISOString()}`);
  console.log(`machine: nproc ${sh('nproc', [])}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.cpus()[0]?.model ?? '?'}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`settings: ${JSON.stringify(config)}`);
  log(`signing: ${String(config.signatures)} signatures per signer, before the network starts (an idle machine)`);
  const signing = await measureSigners(config.signatures);
  const results: PhaseResult[] = [];
  let batch: ReturnType<typeof batchSettings> | undefined;
  try {
    await startNetwork(log);
    batch = batchSettings();
    for (const kind of config.kinds) {
      if (stopping) break;
      const target = await makeTarget(kind, config);
      try {
        results.push(...(await runKind(target, config)));
      } finally {
        target.close();
      }
    }
  } finally {
    printReport(config, { signing, batch, results, memory: residentMemory() });
    log('network: down');
    await downNetwork();
    log(fs.existsSync(runDir) ? `WARNING: ${runDir} is still there` : `network down, ${runDir} removed`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: taking the benchmark network down`);
    downNetwork().then(() => process.exit(130), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    // main's finally already ran down; this covers a failure before the network started.
    void downNetwork().finally(() => process.exit(1));
  },
);
