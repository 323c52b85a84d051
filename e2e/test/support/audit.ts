/** poll-ledger-audit as a citizen-side observer runs it, against this network's network.json. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { networkJsonFile, repoRoot, runDir } from './network';

export const auditCli = path.join(repoRoot, 'audit', 'bin', 'poll-ledger-audit.js');

export interface AuditRun {
  code: number | null;
  /** Empty when the output was inherited. */
  stdout: string;
  stderr: string;
}

/**
 * Runs the auditor with ARGS, plus `--network-json` of this network unless the command works offline
 * (`verify`, or `--from-dir`). INHERIT shows its output instead of collecting it.
 */
export function runAudit(args: readonly string[], options: { readonly inherit?: boolean } = {}): Promise<AuditRun> {
  const offline = args[0] === 'verify' || args.includes('--from-dir');
  const argv = [auditCli, ...args, ...(offline ? [] : ['--network-json', networkJsonFile])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
  });
}

/**
 * The header hash of the genesis block as the founding organisations made it (the scripts' copy in the run dir),
 * computed by the auditor itself from a directory holding only that block: the pin an observer gets out of band,
 * not from the peer it audits.
 */
export async function pinnedGenesisHash(workDir: string): Promise<string> {
  const genesisDir = path.join(workDir, 'genesis');
  fs.mkdirSync(genesisDir, { recursive: true });
  fs.copyFileSync(path.join(runDir, 'channel', 'polls.block'), path.join(genesisDir, '0.block'));
  const json = path.join(workDir, 'genesis.json');
  const pinned = await runAudit(['verify', '--from-dir', genesisDir, '--until-block', '0', '--quiet', '--json', json]);
  if (pinned.code !== 0) throw new Error(`the auditor could not read the genesis block: ${pinned.stdout}${pinned.stderr}`);
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as { ledger?: { genesisHash?: unknown } };
  const hash = report.ledger?.genesisHash;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`no genesis hash in ${json}`);
  return hash;
}
