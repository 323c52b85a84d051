/**
 * The end-to-end tests' own Fabric network: started once for the whole run by the
 * mocha global fixtures below, in its own run directory and on its own ports, so it
 * never collides with a network started by `npm start`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const runDir = path.resolve(process.env.POLL_LEDGER_E2E_RUN_DIR ?? path.join(repoRoot, '.run-e2e'));
export const portOffset = process.env.POLL_LEDGER_E2E_PORT_OFFSET ?? '10000';

export interface OrgInfo {
  mspId: string;
  peerEndpoint: string;
  peerHostAlias: string;
  tlsCaCert: string;
  ordererEndpoint: string;
  identities: Record<string, { certPath: string; keyPath: string }>;
}

export interface NetworkInfo {
  mode: string;
  channel: string;
  chaincode: string;
  orgs: Record<string, OrgInfo>;
}

export const networkEnv: NodeJS.ProcessEnv = {
  ...process.env,
  POLL_LEDGER_RUN_DIR: runDir,
  POLL_LEDGER_PORT_OFFSET: portOffset,
};

/** Runs a network.sh verb, echoing its progress lines; rejects with the tail of its output. */
export function networkScript(...args: string[]): Promise<string> {
  const script = path.join(repoRoot, 'test-network-scripts', 'network.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env: networkEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const echo = (chunk: Buffer): void => {
      out += chunk.toString();
      if (process.env.POLL_LEDGER_E2E_QUIET !== '1') process.stdout.write(`      [network ${args[0] ?? ''}] ${chunk.toString().replace(/\n(?=.)/g, `\n      [network ${args[0] ?? ''}] `)}`);
    };
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`network.sh ${args.join(' ')} exited with ${String(code)}:\n${out.split('\n').slice(-25).join('\n')}`));
    });
  });
}

export function readNetworkInfo(): NetworkInfo {
  return JSON.parse(fs.readFileSync(path.join(runDir, 'network.json'), 'utf8')) as NetworkInfo;
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
