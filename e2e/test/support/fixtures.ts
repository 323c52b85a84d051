/** Mocha global fixtures: one real network for the whole end-to-end run. */
import { networkScript, runDir } from './network';
import * as fs from 'node:fs';

export async function mochaGlobalSetup(): Promise<void> {
  // A network left behind by an interrupted run would hold the ports: start clean.
  if (fs.existsSync(runDir)) await networkScript('down');
  const mode = process.env.POLL_LEDGER_E2E_MODE === 'full' ? ['--full'] : [];
  await networkScript('all', ...mode);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (process.env.POLL_LEDGER_E2E_KEEP === '1') return;
  await networkScript('down');
}
