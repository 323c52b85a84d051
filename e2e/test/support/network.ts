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
}

/**
 * Runs test-network-scripts/SCRIPT with ARGS against this network; resolves with its output, rejects with
 * the tail of it. The one way the tests and benchmarks run network.sh and gateway.sh.
 */
export function runScript(script: 'network.sh' | 'gateway.sh', args: readonly string[], options: ScriptOptions = {}): Promise<string> {
  const file = path.join(repoRoot, 'test-network-scripts', script);
  const echo = options.echo ?? process.env.POLL_LEDGER_E2E_QUIET !== '1';
  const tag = `      [${script.replace(/\.sh$/, '')} ${args[0] ?? ''}] `;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file, ...args], {
      env: { ...networkEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    let out = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      out += text;
      if (echo) process.stdout.write(tag + text.replace(/\n(?=.)/g, `\n${tag}`));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${String(code)}:\n${out.split('\n').slice(-25).join('\n')}`));
    });
  });
}

/** Runs a network.sh verb, echoing its progress lines. */
export function networkScript(...args: string[]): Promise<string> {
  return runScript('network.sh', args);
}

/** The running network's description, checked against the protocol's schema. */
export function readNetwork(): Network {
  return readNetworkFile(networkJsonFile);
}

/** Pids of every process the network scripts started, from their pid files. */
export function trackedPids(): Map<string, number> {
  const dir = path.join(runDir, 'pids');
  const pids = new Map<string, number>();
  if (!fs.existsSync(dir)) return pids;
  for (const file of fs.readdirSync(dir).sort()) {
    pids.set(path.basename(file, '.pid'), Number(fs.readFileSync(path.join(dir, file), 'utf8').trim()));
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
