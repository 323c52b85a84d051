/**
 * The benchmark's own network in .run-bench (ports +30000): up, the baseline chaincode
 * beside `polls`, the REST gateway, and a `down` that runs on every way out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { networkScript, runDir, runScript } from '../test/support/network';
import { gatewayScript } from '../test/support/rest';

const baselineDir = path.join(__dirname, 'baseline-chaincode');

export async function startNetwork(log: (line: string) => void): Promise<void> {
  // A network left by an interrupted run would hold the ports.
  if (fs.existsSync(runDir)) await downNetwork();
  log(`network: up + channel + polls chaincode (quick mode) in ${runDir}`);
  await networkScript('all');
  log('network: deploying the baseline chaincode beside polls (chaincode-server port slot 8)');
  await runScript('network.sh', ['deployCC'], {
    env: { POLL_LEDGER_CC_NAME: 'baseline', POLL_LEDGER_CC_DIR: baselineDir, POLL_LEDGER_CC_PORT_SLOT: '8' },
  });
  log('network: starting the REST gateway');
  await gatewayScript('start');
}

let down: Promise<void> | undefined;

/** Stops every tracked process (gateway included) and deletes the run directory; once. Detached, so a second Ctrl-C does not kill it. */
export function downNetwork(): Promise<void> {
  down ??= runScript('network.sh', ['down'], { detached: true }).then(() => undefined);
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
