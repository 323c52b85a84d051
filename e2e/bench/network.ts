/**
 * The benchmark's own networks, one at a time in the same run dir and ports (.run-bench, +16000 unless
 * BENCH_RUN_DIR / BENCH_PORT_OFFSET say otherwise): up in the wanted mode on the wanted Fabric, the
 * baseline chaincode beside `polls`, the REST gateway, and a `down` that runs on every way out.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, runDir, runScript } from '../test/support/network';
import { gatewayScript } from '../test/support/rest';
import type { Mode, NetworkSpec } from './config';

const baselineDir = path.join(__dirname, 'baseline-chaincode');
const configFile = path.join(repoRoot, 'network', 'network.config.sh');

/** The Fabric version the network scripts run when told none: FABRIC_VERSION, else network.config.sh's default. */
export function defaultFabricVersion(): string {
  const version = execFileSync('bash', ['-c', '. "$1" && printf %s "$FABRIC_VERSION"', 'bash', configFile], {
    encoding: 'utf8', env: { ...process.env, POLL_LEDGER_ROOT: repoRoot },
  }).trim();
  if (version === '') throw new Error(`${configFile} sets no FABRIC_VERSION`);
  return version;
}

export interface BatchSettings {
  batchTimeout: string;
  maxMessageCount: string;
  preferredMaxBytes: string;
}

/** What one network turned out to be, for the report. */
export interface NetworkInfo {
  /** The release the scripts ran: the newest cached build of the wanted series, which network.sh names. */
  fabricBinaries: string;
  orderers: string;
  /** Seconds from `network.sh all` until the gateway was ready, the baseline's deployment included. */
  startSeconds: number;
  batch: BatchSettings;
}

/** The orderer batch settings the channel was really created with (the rendered configtx.yaml). */
function batchSettings(mode: Mode): BatchSettings {
  const text = fs.readFileSync(path.join(runDir, 'config', 'configtx.yaml'), 'utf8');
  const field = (name: string): string => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '?';
  // SmartBFT cuts a batch on its own interval; it takes the batch count from BatchSize as Raft does.
  const timeout = mode === 'full' ? 'RequestBatchMaxInterval' : 'BatchTimeout';
  return { batchTimeout: field(timeout), maxMessageCount: field('MaxMessageCount'), preferredMaxBytes: field('PreferredMaxBytes') };
}

/** One network of the comparison. */
export interface BenchNetwork {
  readonly spec: NetworkSpec;
  /** Takes down whatever is left in the run dir, then starts this network, the baseline chaincode and the gateway. */
  up(log: (line: string) => void): Promise<NetworkInfo>;
  /** Copies the run dir's logs beside it, since `down` deletes them; where they went, if there were any. */
  keepLogs(): string | undefined;
  /** Stops every tracked process (gateway included) and deletes the run dir; once. */
  down(): Promise<void>;
}

class BenchNetworkImpl implements BenchNetwork {
  readonly spec: NetworkSpec;
  #down: Promise<void> | undefined;

  constructor(spec: NetworkSpec) {
    this.spec = spec;
  }

  /** Every script run of this network names its Fabric release and mode: the run dir records neither the release nor, before `up`, the mode. */
  #script(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    return runScript('network.sh', args, { env: { FABRIC_VERSION: this.spec.fabricVersion, POLL_LEDGER_MODE: this.spec.mode, ...env } });
  }

  async up(log: (line: string) => void): Promise<NetworkInfo> {
    const { mode, fabricVersion, label } = this.spec;
    // A network left by an interrupted run would hold the ports.
    if (fs.existsSync(runDir)) await runScript('network.sh', ['down'], { detached: true });
    const started = Date.now();
    log(`network ${label}: up + channel + polls chaincode (${mode} mode, FABRIC_VERSION=${fabricVersion}) in ${runDir}`);
    const output = await this.#script(['all', `--${mode}`]);
    log(`network ${label}: deploying the baseline chaincode beside polls (chaincode-server port slot 8)`);
    await this.#script(['deployCC'], { POLL_LEDGER_CC_NAME: 'baseline', POLL_LEDGER_CC_DIR: baselineDir, POLL_LEDGER_CC_PORT_SLOT: '8' });
    log(`network ${label}: starting the REST gateway`);
    await gatewayScript('start');
    return {
      fabricBinaries: /Fabric binaries: v(\S+)/.exec(output)?.[1] ?? '?',
      orderers: mode === 'full' ? '4 BFT (SmartBFT)' : '1 Raft',
      startSeconds: (Date.now() - started) / 1000,
      batch: batchSettings(mode),
    };
  }

  keepLogs(): string | undefined {
    const logs = path.join(runDir, 'logs');
    if (!fs.existsSync(logs)) return undefined;
    const kept = `${runDir}-logs-${this.spec.label.replace(/[^\w.-]/g, '-')}`;
    try {
      fs.rmSync(kept, { recursive: true, force: true });
      fs.cpSync(logs, kept, { recursive: true });
      return kept;
    } catch {
      return undefined; // a `down` after a signal is deleting them
    }
  }

  down(): Promise<void> {
    // Detached, so a second Ctrl-C does not kill it.
    this.#down ??= runScript('network.sh', ['down'], { detached: true }).then(() => undefined);
    return this.#down;
  }
}

export function benchNetwork(spec: NetworkSpec): BenchNetwork {
  return new BenchNetworkImpl(spec);
}
