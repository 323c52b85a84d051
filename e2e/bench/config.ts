/**
 * Benchmark settings: `--name value` (or `--name=value`) on the command line, else BENCH_NAME, else a
 * default. An option the benchmark does not know is an error, never silently dropped.
 */
import { SIGNER_KINDS, type SignerKind } from '@poll-ledger/fabric-client';
import { Limits } from '@poll-ledger/protocol';

/**
 * What is measured: ballots through REST (the gateway coalescing them into CastBallots transactions), the same with
 * the gateway set to one ballot a transaction (CastBallot), ballots straight through fabric-gateway one a transaction
 * and `--batch` a transaction, and the baseline's blind write (one a transaction).
 */
export const KINDS = ['rest', 'rest-single', 'direct', 'direct-batch', 'baseline'] as const;
export type Kind = (typeof KINDS)[number];

/** quick: one Raft orderer (the city's); full: four SmartBFT orderers, one per org (Fabric 3 only). */
export const MODES = ['quick', 'full'] as const;
export type Mode = (typeof MODES)[number];

/** One network the benchmark brings up, measures and takes down, in the order given. */
export interface NetworkSpec {
  readonly mode: Mode;
  /** FABRIC_VERSION for the network scripts; they run the cached build of its series. */
  readonly fabricVersion: string;
  /** `mode@version`, the network's name in the report. */
  readonly label: string;
}

export interface BenchConfig {
  /** The networks to compare, each in turn on the same run dir and ports. */
  networks: NetworkSpec[];
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
  /** Which kinds to run. */
  kinds: Kind[];
  /** Ballots in each CastBallots transaction of direct-batch. */
  batch: number;
  /** An open-loop rate run first for every kind, whatever the series does: Moscow's recorded peak. */
  peakRate: number;
  /** Signatures per signer in the signing micro-benchmark. */
  signatures: number;
  /** The direct and baseline clients' signer; the REST gateway's default is node-crypto. */
  signer: SignerKind;
}

/** What the defaults depend on outside the command line. */
export interface ConfigDefaults {
  /** The Fabric version of a network named without one: FABRIC_VERSION, else network.config.sh's. */
  readonly fabricVersion: string;
}

const SIGNERS: readonly SignerKind[] = SIGNER_KINDS;

const OPTIONS = ['networks', 'kinds', 'count', 'concurrency', 'warmup', 'rates', 'peak-rate', 'duration', 'max-p95', 'drain', 'batch', 'signatures', 'signer'] as const;
type OptionName = (typeof OPTIONS)[number];

const USAGE = `npm run bench [-- options]     (each option also reads BENCH_<NAME>, e.g. BENCH_RATES=25,50)
  --networks N1,...  networks to compare, one after the other: MODE[@FABRIC_VERSION], MODE quick or full
                     (quick@<default>; e.g. quick@2.5.9,quick@3.1.1,full@3.1.1; full needs Fabric 3)
  --kinds K1,...     rest,rest-single,direct,direct-batch,baseline (all)
                     rest: the gateway as it runs (coalescing ballots); rest-single: the gateway restarted
                     with one ballot a transaction; direct-batch: CastBallots of --batch ballots
  --count N          ballots (baseline: writes) per closed-loop phase (2000)
  --concurrency C,.. ballots in flight, one closed-loop phase each (50,200)
  --warmup W         unmeasured ballots per kind                  (100)
  --rates R1,R2,...  open-loop send rates, ballots/s              (50,100,200,300,400,600,800)
  --peak-rate R      one open-loop phase at this rate first, for the latency when idle (17, Moscow's peak)
  --duration S       seconds per open-loop rate                   (10)
  --batch B          ballots per CastBallots transaction of direct-batch (50)
  --max-p95 MS       stop the open-loop series above this p95     (2000)
  --drain MS         wait for stragglers after a phase            (120000)
  --signatures N     signatures per signer in the signing test    (2000)
  --signer S         direct/baseline signer: node-crypto, fabric-default (node-crypto, as the REST gateway)
  BENCH_RUN_DIR, BENCH_PORT_OFFSET  the networks' run dir and port offset (.run-bench, 16000)
  BENCH_VERBOSE=1                    echo network.sh output
  FABRIC_VERSION                     the version of a network named without one (else network.config.sh's)`;

function usageError(message: string): Error {
  return new Error(`${message}\n${USAGE}`);
}

function isOption(name: string): name is OptionName {
  return (OPTIONS as readonly string[]).includes(name);
}

/** The command line as option → value; anything it does not know is an error. */
function commandLine(args: readonly string[]): Map<OptionName, string> {
  const values = new Map<OptionName, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    if (name === undefined) throw usageError(`unexpected argument '${arg}'`);
    if (!isOption(name)) throw usageError(`unknown option '--${name}'`);
    const value = match?.[2] ?? args[++i];
    if (value === undefined || (match?.[2] === undefined && value.startsWith('--'))) throw usageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return values;
}

const VERSION = /^(\d+)\.\d+\.\d+$/;

/** `quick@2.5.9,full` → one spec each; a name without a version takes DEFAULT_VERSION. */
export function parseNetworks(text: string, defaultVersion: string): NetworkSpec[] {
  const specs: NetworkSpec[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [modeName = '', version = defaultVersion, ...rest] = item.split('@');
    const mode = MODES.find((m) => m === modeName);
    if (mode === undefined || rest.length > 0) throw usageError(`--networks: '${item}' is not MODE[@FABRIC_VERSION] with MODE ${MODES.join(' or ')}`);
    const major = VERSION.exec(version)?.[1];
    if (major === undefined) throw usageError(`--networks: '${version}' in '${item}' is not a Fabric version such as 3.1.1`);
    if (mode === 'full' && Number(major) < 3) throw usageError(`--networks: '${item}': full mode orders with BFT, which needs Fabric 3`);
    const label = `${mode}@${version}`;
    if (specs.some((s) => s.label === label)) throw usageError(`--networks: ${label} is named twice`);
    specs.push({ mode, fabricVersion: version, label });
  }
  if (specs.length === 0) throw usageError('--networks names no network');
  return specs;
}

export function parseConfig(args: readonly string[], defaults: ConfigDefaults): BenchConfig {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const given = commandLine(args);
  const raw = (name: OptionName): string | undefined => given.get(name) ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const list = (name: OptionName, fallback: string): string[] => (raw(name) ?? fallback).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const positive = (name: OptionName, fallback: number): number => {
    const text = raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw usageError(`--${name} must be a positive number, not '${text}'`);
    return value;
  };
  const numbers = (name: OptionName, fallback: string): number[] => {
    const values = list(name, fallback).map(Number);
    if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw usageError(`--${name} must be positive numbers`);
    return values.sort((a, b) => a - b);
  };
  const kinds = list('kinds', KINDS.join(',')).map((name) => {
    const kind = KINDS.find((k) => k === name);
    if (kind === undefined) throw usageError(`unknown kind '${name}'`);
    return kind;
  });
  const signerName = raw('signer') ?? 'node-crypto';
  const signer = SIGNERS.find((s) => s === signerName);
  if (signer === undefined) throw usageError(`unknown signer '${signerName}'`);
  return {
    networks: parseNetworks(raw('networks') ?? 'quick', defaults.fabricVersion),
    count: Math.round(positive('count', 2000)),
    concurrency: numbers('concurrency', '50,200').map(Math.round),
    warmup: Math.round(positive('warmup', 100)),
    rates: numbers('rates', '50,100,200,300,400,600,800'),
    peakRate: positive('peak-rate', 17),
    duration: positive('duration', 10),
    maxP95Ms: positive('max-p95', 2000),
    drainMs: positive('drain', 120_000),
    kinds,
    batch: Math.min(Limits.castBatch.max, Math.round(positive('batch', 50))),
    signatures: Math.round(positive('signatures', 2000)),
    signer,
  };
}
