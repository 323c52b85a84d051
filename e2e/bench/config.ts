/** Benchmark settings: `--name value` on the command line, else BENCH_NAME, else a small default. */
import { SIGNER_KINDS, type SignerKind } from '@poll-ledger/fabric-client';

export interface BenchConfig {
  /** Transactions per closed-loop phase. */
  count: number;
  /** Transactions in flight, one closed-loop phase each. */
  concurrency: number[];
  /** Unmeasured transactions before each kind's phases. */
  warmup: number;
  /** Send rates (tx/s) of the open-loop series, lowest first. */
  rates: number[];
  /** Seconds each open-loop rate is held. */
  duration: number;
  /** The open-loop series stops once p95 latency passes this (ms). */
  maxP95Ms: number;
  /** How long a phase waits for its last transactions once sending stopped (ms). */
  drainMs: number;
  /** Which kinds to run: rest, direct, baseline. */
  kinds: Kind[];
  /** Signatures per signer in the signing micro-benchmark. */
  signatures: number;
  /** The direct and baseline clients' signer; the REST gateway's default is node-crypto. */
  signer: SignerKind;
}

export const KINDS = ['rest', 'direct', 'baseline'] as const;
export type Kind = (typeof KINDS)[number];

const SIGNERS: readonly SignerKind[] = SIGNER_KINDS;

const USAGE = `npm run bench [-- options]     (each option also reads BENCH_<NAME>, e.g. BENCH_RATES=25,50)
  --count N          transactions per closed-loop phase           (2000)
  --concurrency C,.. in flight, one closed-loop phase each        (50,200)
  --warmup W         unmeasured transactions per kind             (100)
  --rates R1,R2,...  open-loop send rates, tx/s                   (50,100,150,200,250)
  --duration S       seconds per open-loop rate                   (10)
  --max-p95 MS       stop the open-loop series above this p95     (2000)
  --drain MS         wait for stragglers after a phase            (120000)
  --kinds K1,...     rest,direct,baseline                         (all)
  --signatures N     signatures per signer in the signing test    (2000)
  --signer S         direct/baseline signer: node-crypto, fabric-default (node-crypto, as the REST gateway)
  BENCH_RUN_DIR, BENCH_PORT_OFFSET  the network's run dir and port offset (.run-bench, 30000)
  BENCH_VERBOSE=1                    echo network.sh output`;

function raw(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

function positive(args: string[], name: string, fallback: number): number {
  const text = raw(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, not '${text}'\n${USAGE}`);
  return value;
}

function list(args: string[], name: string, fallback: string): string[] {
  return (raw(args, name) ?? fallback).split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function parseConfig(args: string[]): BenchConfig {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const kinds = list(args, 'kinds', KINDS.join(','));
  for (const kind of kinds) {
    if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`unknown kind '${kind}'\n${USAGE}`);
  }
  const signerName = raw(args, 'signer') ?? 'node-crypto';
  const signer = SIGNERS.find((s) => s === signerName);
  if (signer === undefined) throw new Error(`unknown signer '${signerName}'\n${USAGE}`);
  const numbers = (name: string, fallback: string): number[] => {
    const values = list(args, name, fallback).map(Number);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`--${name} must be positive numbers\n${USAGE}`);
    return values.sort((a, b) => a - b);
  };
  return {
    count: Math.round(positive(args, 'count', 2000)),
    concurrency: numbers('concurrency', '50,200').map(Math.round),
    warmup: Math.round(positive(args, 'warmup', 100)),
    rates: numbers('rates', '50,100,150,200,250'),
    duration: positive(args, 'duration', 10),
    maxP95Ms: positive(args, 'max-p95', 2000),
    drainMs: positive(args, 'drain', 120_000),
    kinds: kinds as Kind[],
    signatures: Math.round(positive(args, 'signatures', 2000)),
    signer,
  };
}
