/**
 * The benchmark's own network in .run-bench (ports +30000): up, the baseline chaincode
 * beside `polls`, the REST gateway, and a `down` that runs on every way out.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { networkEnv, networkScript, repoRoot, runDir } from '../test/support/network';
import { gatewayScript } from '../test/support/rest';

const baselineDir = path.join(__dirname, 'baseline-chaincode');

/** network.sh with extra environment. DETACHED keeps a second Ctrl-C from killing a running `down`. */
function script(args: string[], env: NodeJS.ProcessEnv = {}, detached = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'test-network-scripts', 'network.sh'), ...args], {
      env: { ...networkEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`network.sh ${args.join(' ')} exited with ${String(code)}:\n${out.split('\n').slice(-20).join('\n')}`));
    });
  });
}

export async function startNetwork(log: (line: string) => void): Promise<void> {
  // A network left by an interrupted run would hold the ports.
  if (fs.existsSync(runDir)) await downNetwork();
  log(`network: up + channel + polls chaincode (quick mode) in ${runDir}`);
  await networkScript('all');
  log('network: deploying the baseline chaincode beside polls (chaincode-server port slot 8)');
  await script(['deployCC'], { POLL_LEDGER_CC_NAME: 'baseline', POLL_LEDGER_CC_DIR: baselineDir, POLL_LEDGER_CC_PORT_SLOT: '8' });
  log('network: starting the REST gateway');
  await gatewayScript('start');
}

let down: Promise<void> | undefined;

/** Stops every tracked process (gateway included) and deletes the run directory; once. */
export function downNetwork(): Promise<void> {
  down ??= script(['down'], {}, true);
  return down;
}

export interface BatchSettings {
  batchTimeout: string;
  maxMessageCount: string;
  preferredMaxBytes: string;
}

/** The orderer batch settings the channel was really created with (the rendered configtx.yaml). */
export function batchSettings(): BatchSettings {
  const text = fs.readFileSync(path.join(runDir, 'config', 'configtx.yaml'), 'utf8');
  const field = (name: string): string => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim() ?? '?';
  return { batchTimeout: field('BatchTimeout'), maxMessageCount: field('MaxMessageCount'), preferredMaxBytes: field('PreferredMaxBytes') };
}
