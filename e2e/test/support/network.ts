/**
 * The end-to-end tests' own Fabric network: started once for the whole run by the
 * mocha global fixtures (fixtures.ts), in its own run directory and on its own ports, so it
 * never collides with a network started by `npm start`. The benchmarks reuse it with their
 * own run directory and offset (bench/env.ts sets them before this module loads).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Network, readNetworkFile } from '@poll-ledger/protocol';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const runDir = path.resolve(process.env.POLL_LEDGER_E2E_RUN_DIR ?? path.join(repoRoot, '.run-e2e'));
export const portOffset = process.env.POLL_LEDGER_E2E_PORT_OFFSET ?? '10000';
/** Written by network.sh (through protocol/bin/network-json.js) on every `up`. */
export const networkJsonFile = path.join(runDir, 'network.json');

export const networkEnv: NodeJS.ProcessEnv = {
  ...process.env,
  POLL_LEDGER_RUN_DIR: runDir,
  POLL_LEDGER_PORT_OFFSET: portOffset,
};

export interface ScriptOptions {
  /** Added to networkEnv. */
  readonly env?: NodeJS.ProcessEnv;
  /** Its own process group, so a second Ctrl-C does not kill a running `down`. */
  readonly detached?: boolean;
  /** Echo the script's output as it comes (default: unless POLL_LEDGER_E2E_QUIET=1). */
  readonly echo?: boolean;
  /**
   * Aborting it stops the script: SIGTERM to its process group (it then runs in a group of its own), and the
   * promise rejects once the script has exited, so nothing it runs in the foreground is left starting things.
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs test-network-scripts/SCRIPT with ARGS against this network; resolves with its output, rejects with
 * the tail of it. The one way the tests and benchmarks run network.sh and gateway.sh.
 */
export function runScript(script: 'network.sh' | 'gateway.sh', args: readonly string[], options: ScriptOptions = {}): Promise<string> {
  return runScriptFile(path.join(repoRoot, 'test-network-scripts', script), args, options);
}

/** runScript for any bash script FILE (the tests of this module run their own). */
export function runScriptFile(file: string, args: readonly string[], options: ScriptOptions = {}): Promise<string> {
  const script = path.basename(file);
  const echo = options.echo ?? process.env.POLL_LEDGER_E2E_QUIET !== '1';
  const tag = `      [${script.replace(/\.sh$/, '')} ${args[0] ?? ''}] `;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Error(`${script} ${args.join(' ')} was not started: ${abortReason(signal)}`));
      return;
    }
    const child = spawn('bash', [file, ...args], {
      env: { ...networkEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: (options.detached ?? false) || signal !== undefined,
    });
    const stop = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    };
    signal?.addEventListener('abort', stop, { once: true });
    let out = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      out += text;
      if (echo) process.stdout.write(tag + text.replace(/\n(?=.)/g, `\n${tag}`));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => {
      signal?.removeEventListener('abort', stop);
      reject(err);
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', stop);
      const tail = out.split('\n').slice(-25).join('\n');
      if (signal?.aborted === true) reject(new Error(`${script} ${args.join(' ')} was stopped (${abortReason(signal)}):\n${tail}`));
      else if (code === 0) resolve(out);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${String(code ?? killedBy)}:\n${tail}`));
    });
  });
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason);
}

/** Runs a network.sh verb, echoing its progress lines. */
export function networkScript(...args: string[]): Promise<string> {
  return runScript('network.sh', args);
}

/** The running network's description, checked against the protocol's schema. */
export function readNetwork(): Network {
  return readNetworkFile(networkJsonFile);
}

/**
 * Pids of every process the network scripts started, from their pid files: pids/<name>.pid holds the pid
 * (on its first line); pids/<name>.proc beside it is the scripts' record of that process, not a pid.
 */
export function trackedPids(dir: string = path.join(runDir, 'pids')): Map<string, number> {
  const pids = new Map<string, number>();
  if (!fs.existsSync(dir)) return pids;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number(fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[0]?.trim());
    if (Number.isInteger(pid) && pid > 0) pids.set(path.basename(file, '.pid'), pid);
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
