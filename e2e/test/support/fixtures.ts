/** Mocha global fixtures: one real network for the whole end-to-end run. */
import { networkScript, runDir, runScript, type ScriptOptions } from './network';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Runs one network.sh verb (runScript's signature); the tests of setUpNetwork pass their own. */
export type NetworkRunner = (args: readonly string[], options?: ScriptOptions) => Promise<string>;

/** What setUpNetwork needs from the process: signal listeners, and dying of a signal once it has cleaned up. */
export interface SignalHost {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  /** Ends the process as SIGNAL would have, had it not been caught (called with no listener of ours left). */
  raise(signal: NodeJS.Signals): void;
}

export interface SetUpOptions {
  readonly run: NetworkRunner;
  readonly signals: SignalHost;
  readonly mode: readonly string[];
  /** Where a failed setup's own errors go (a `down` that failed too); console.error by default. */
  readonly log?: (message: string) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

const processSignals: SignalHost = {
  on: (signal, listener) => process.on(signal, listener),
  removeListener: (signal, listener) => process.removeListener(signal, listener),
  raise: (signal) => process.kill(process.pid, signal),
};

/**
 * Brings the network up (`down` first when a run left one behind, then `all`). When that fails, or SIGINT or
 * SIGTERM arrives meanwhile, it stops what was started (`network.sh down`, in a process group of its own so a
 * second Ctrl-C does not cut it short) before it rethrows, or dies of that signal: mocha runs no global
 * teardown after a failed global setup, and the CAs and nodes started so far would keep their ports.
 */
export async function setUpNetwork(options: Readonly<SetUpOptions>): Promise<void> {
  const { run, signals } = options;
  const log = options.log ?? ((message: string) => { console.error(message); });
  const abort = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    caught ??= signal;
    abort.abort(new Error(`${signal} during the e2e network setup`));
  };
  for (const s of SIGNALS) signals.on(s, onSignal);
  const stopListening = (): void => {
    for (const s of SIGNALS) signals.removeListener(s, onSignal);
  };
  try {
    // A network left behind by an interrupted run would hold the ports: start clean.
    if (fs.existsSync(runDir)) await run(['down'], { signal: abort.signal });
    await run(['all', ...options.mode], { signal: abort.signal });
  } catch (err) {
    await stopNetwork(run, log);
    stopListening();
    if (caught !== undefined) signals.raise(caught);
    throw err;
  }
  if (caught !== undefined) {
    // The signal came as `all` finished: it still ends the run, after the network is stopped.
    await stopNetwork(run, log);
    stopListening();
    signals.raise(caught);
    throw new Error(`${caught} during the e2e network setup`);
  }
  stopListening();
}

/** Where a failed setup leaves the network's logs (`down` deletes the run directory). */
export const failedSetupLogs = `${runDir}-failed-logs`;

async function stopNetwork(run: NetworkRunner, log: (message: string) => void): Promise<void> {
  log('[e2e] the network setup failed or was interrupted: stopping what it started (network.sh down)');
  try {
    const logs = path.join(runDir, 'logs');
    if (fs.existsSync(logs)) {
      fs.rmSync(failedSetupLogs, { recursive: true, force: true });
      fs.renameSync(logs, failedSetupLogs);
      log(`[e2e] the nodes' logs are kept in ${failedSetupLogs}`);
    }
  } catch (err) {
    log(`[e2e] could not keep the logs: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await run(['down'], { detached: true });
  } catch (err) {
    log(`[e2e] network.sh down failed too: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function mochaGlobalSetup(): Promise<void> {
  await setUpNetwork({
    run: (args, options) => runScript('network.sh', args, options),
    signals: processSignals,
    mode: process.env.POLL_LEDGER_E2E_MODE === 'full' ? ['--full'] : [],
  });
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (process.env.POLL_LEDGER_E2E_KEEP === '1') return;
  await networkScript('down');
}
